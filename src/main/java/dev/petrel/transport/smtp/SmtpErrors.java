package dev.petrel.transport.smtp;

import dev.petrel.config.RetryError;
import dev.petrel.smtp.Reply;
import dev.petrel.tls.TlsErrors;

import java.io.IOException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * How a failure with a server is worded for the log and numbered for the retry rules: Exim's
 * {@code SMTP error from remote mail server after ...} for a reply, a short system-style text and errno for a
 * connection that failed.
 */
final class SmtpErrors {
    private SmtpErrors() {}

    static HostFailure smtpError(String after, Reply r, int errno) {
        return new HostFailure("SMTP error from remote mail server after " + after + ": " + r.logText(), errno,
                moreErrno(r));
    }

    /** A 4xx's code, where retry rules such as {@code rcpt_45x} look for it. */
    static int moreErrno(Reply r) {
        return r.code() >= 400 && r.code() < 500 ? RetryError.replyCode(r.code()) : 0;
    }

    static String describe(IOException e) {
        String m = e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        if (!m.startsWith("TLS")) {
            // A TLS session broken after its handshake (a TLS 1.3 server refusing the client's certificate
            // says so only then): the engine's reason, not Java's class names.
            for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
                if (t instanceof SSLException ssl) {
                    return "TLS session: " + TlsErrors.describe(ssl);
                }
            }
        }
        // Netty's connect failures end in the address ("Connection refused: mx./127.0.0.1:25"): H= names it.
        // Its native transport puts the system call first ("connect(..) failed with error(-111): ..."): the
        // log says what happened, as Exim's does, not which call noticed.
        return m.replaceFirst(": [^ ]*/[0-9a-fA-F.:%]+:[0-9]+$", "")
                .replaceFirst("^(connect|sendToAddress)\\(\\.\\.\\) failed( with error\\(-?[0-9]+\\))?: ", "");
    }

    static int errno(IOException e) {
        String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        if (m.contains("refused")) {
            return 111;
        }
        if (m.contains("timed out") || m.contains("no answer within") || m.contains("timeout")) {
            return 110;
        }
        return SmtpTransaction.ERRNO_SMTPCLOSED;
    }
}
