package dev.petrel.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The error field of a retry line ({@code *}, {@code refused_MX}, {@code timeout_connect}, {@code rcpt_45x},
 * {@code quota_3d}...), matched against a failure's Exim error numbers as Exim's retry.c does: a system errno
 * ({@code ECONNREFUSED}, {@code ETIMEDOUT}) or one of Exim's negative {@code ERRNO_} values, and
 * {@code more_errno}, which holds {@code 'A'}/{@code 'M'} (host from an A or an MX record) with
 * {@link #CONNECT_TIMEOUT} for a timeout while connecting, or the SMTP code less 400 shifted left 8 bits.
 *
 * @param errno 0 for {@code *}, which matches every error
 * @param more what {@code more_errno} must be, 0 for anything (see {@link #matches})
 */
public record RetryError(String name, int errno, int more) {
    public static final int ECONNREFUSED = 111;
    public static final int ETIMEDOUT = 110;
    public static final int LOST_CONNECTION = -18;
    public static final int QUOTA = -22;
    public static final int TLS_REQUIRED = -38;
    public static final int AUTH_FAILED = -42;
    public static final int RCPT_4XX = -44;
    public static final int MAIL_4XX = -45;
    public static final int DATA_4XX = -46;
    /** Exim's ERRNO_RRETRY: an address or domain whose retry time has not come. */
    public static final int ROUTING_RETRY = -51;
    /** Exim's ERRNO_HRETRY: no host whose retry time has come. */
    public static final int HOST_RETRY = -53;
    /** Exim's RTEF_CTOUT, or'ed into {@code more_errno}: the timeout happened while connecting. */
    public static final int CONNECT_TIMEOUT = 0x100;

    public static final RetryError ANY = new RetryError("*", 0, 0);

    private static final Pattern CODE = Pattern.compile("(rcpt|mail|data)_4(x|[0-9])(x|[0-9])");
    private static final Pattern QUOTA_TIME = Pattern.compile("quota_(.+)");

    /** {@code more_errno} for a 4xx reply: what retry rules such as {@code rcpt_45x} look at. */
    public static int replyCode(int code) {
        return (code - 400) << 8;
    }

    /** Parses an error name as Exim spells it. */
    public static RetryError parse(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        RetryError fixed = switch (n) {
            case "*" -> ANY;
            case "refused" -> new RetryError(name, ECONNREFUSED, 0);
            case "refused_mx" -> new RetryError(name, ECONNREFUSED, 'M');
            case "refused_a" -> new RetryError(name, ECONNREFUSED, 'A');
            case "timeout" -> new RetryError(name, ETIMEDOUT, 0);
            case "timeout_connect" -> new RetryError(name, ETIMEDOUT, CONNECT_TIMEOUT);
            case "timeout_connect_mx" -> new RetryError(name, ETIMEDOUT, CONNECT_TIMEOUT | 'M');
            case "timeout_connect_a" -> new RetryError(name, ETIMEDOUT, CONNECT_TIMEOUT | 'A');
            case "timeout_mx" -> new RetryError(name, ETIMEDOUT, 'M');
            case "timeout_a" -> new RetryError(name, ETIMEDOUT, 'A');
            case "lost_connection" -> new RetryError(name, LOST_CONNECTION, 0);
            case "auth_failed" -> new RetryError(name, AUTH_FAILED, 0);
            case "tls_required" -> new RetryError(name, TLS_REQUIRED, 0);
            case "quota" -> new RetryError(name, QUOTA, 0);
            default -> null;
        };
        if (fixed != null) {
            return fixed;
        }
        Matcher code = CODE.matcher(n);
        if (code.matches()) {
            int errno = switch (code.group(1)) {
                case "rcpt" -> RCPT_4XX;
                case "mail" -> MAIL_4XX;
                default -> DATA_4XX;
            };
            // As Exim codes it: 255 any 4xx, 100 + decade for 4dx, the exact value less 400 otherwise.
            int wanted;
            if (code.group(2).equals("x")) {
                if (!code.group(3).equals("x")) {
                    throw new IllegalArgumentException("\"" + name + "\": only the last digit of a code may be x "
                            + "when the middle one is");
                }
                wanted = 255;
            } else if (code.group(3).equals("x")) {
                wanted = 100 + Integer.parseInt(code.group(2)) * 10;
            } else {
                wanted = Integer.parseInt(code.group(2) + code.group(3));
            }
            return new RetryError(name, errno, wanted << 8);
        }
        Matcher quota = QUOTA_TIME.matcher(n);
        if (quota.matches()) {
            Duration d = Values.parseTime(quota.group(1));
            return new RetryError(name, QUOTA, (int) Math.min(Integer.MAX_VALUE, d.toSeconds()));
        }
        throw new IllegalArgumentException("unknown error name \"" + name + "\" in retry rule (Exim's are *, "
                + "refused, refused_MX, refused_A, timeout, timeout_connect, timeout_A, timeout_MX, "
                + "timeout_connect_A, timeout_connect_MX, lost_connection, rcpt_4xx, mail_4xx, data_4xx, "
                + "auth_failed, tls_required, quota, quota_<time>)");
    }

    /** Exim's test of a rule's error against a failure ({@code retry_find_config}). */
    public boolean matches(int basicErrno, int moreErrno) {
        if (errno == 0) {
            return true;
        }
        return switch (errno) {
            case QUOTA -> basicErrno == QUOTA && (more == 0 || more <= moreErrno);
            case RCPT_4XX, MAIL_4XX, DATA_4XX -> basicErrno == errno && codeMatches(moreErrno);
            case ETIMEDOUT -> basicErrno == ETIMEDOUT && timeoutMatches(moreErrno);
            default -> basicErrno == errno && (more == 0 || more == moreErrno);
        };
    }

    private boolean codeMatches(int moreErrno) {
        int wanted = (more >> 8) & 255;
        if (wanted == 255) {
            return true;
        }
        int got = (moreErrno >> 8) & 255;
        return wanted >= 100 ? (got / 10) * 10 == wanted - 100 : got == wanted;
    }

    private boolean timeoutMatches(int moreErrno) {
        if (more == CONNECT_TIMEOUT) {
            return (moreErrno & CONNECT_TIMEOUT) != 0;
        }
        if (more == 0) {
            return true;
        }
        // A rule that does not ask for a connect timeout ignores whether it was one.
        int got = (more & CONNECT_TIMEOUT) == 0 ? moreErrno & ~CONNECT_TIMEOUT : moreErrno;
        return got == more;
    }
}
