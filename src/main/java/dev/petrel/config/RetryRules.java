package dev.petrel.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@code begin retry} section: lines of {@code pattern error rules}, e.g.
 * {@code *  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h}, the first line that matches a destination and an error
 * deciding when it is tried again. As in Exim, when no line matches, the error is not retried: the address
 * fails at once.
 */
public record RetryRules(List<RetryConfig> lines) {
    /** Exim's default configuration's one rule; Petrel's too, and its choice when a file has no retry section. */
    public static final String EXIM_DEFAULT = "*   *   F,2h,15m; G,16h,1h,1.5; F,4d,6h";

    private static final Pattern WHITE = Pattern.compile("\\s+");

    public RetryRules {
        lines = List.copyOf(lines);
    }

    public static RetryRules eximDefault() {
        try {
            return new RetryRules(List.of(line(EXIM_DEFAULT, "(built in)", 0)));
        } catch (ConfigException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The first line covering {@code key} (or, for a host, its {@code alternateDomain}) and the error, as
     * Exim's {@code retry_find_config}: a key is an address, or a host or domain name; anything after a colon
     * ({@code host:ip}, {@code address:<sender>}) is not part of it.
     */
    public Optional<RetryConfig> find(String key, String alternateDomain, int errno, int moreErrno) {
        int colon = key.indexOf(':');
        String name = colon < 0 ? key : key.substring(0, colon);
        String useKey = name.indexOf('@') >= 0 ? name : "*@" + name;
        String alternate = alternateDomain == null ? null : "*@" + alternateDomain;
        for (RetryConfig line : lines) {
            if (line.error().matches(errno, moreErrno)
                    && (line.covers(useKey) || (alternate != null && line.covers(alternate)))) {
                return Optional.of(line);
            }
        }
        return Optional.empty();
    }

    /** Parses one section line; {@code source} and {@code number} locate errors. */
    static RetryConfig line(String text, String source, int number) throws ConfigException {
        String[] fields = WHITE.split(text.strip(), 3);
        if (fields.length < 2) {
            throw new ConfigException(source, number, "retry rule \"" + text + "\" needs a pattern and an error name "
                    + "(\"*\" for any), then its rules");
        }
        RetryError error;
        try {
            error = RetryError.parse(fields[1]);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, number, e.getMessage());
        }
        if (fields.length > 2 && fields[2].startsWith("senders=")) {
            throw new ConfigException(source, number, "senders= in retry rules is not supported");
        }
        List<RetryRule> rules = new ArrayList<>();
        if (fields.length > 2) {
            for (String rule : fields[2].split(";", -1)) {
                rules.add(rule(rule.strip(), source, number));
            }
        }
        return new RetryConfig(fields[0], error, rules, number);
    }

    private static RetryRule rule(String text, String source, int number) throws ConfigException {
        String[] parts = text.split("\\s*,\\s*", -1);
        String letter = parts[0];
        int wanted = letter.equals("F") ? 3 : letter.equals("G") || letter.equals("H") ? 4 : -1;
        if (wanted < 0) {
            throw new ConfigException(source, number, "bad retry rule \"" + text + "\": it must start with F, G or H");
        }
        if (parts.length != wanted) {
            throw new ConfigException(source, number, "bad retry rule \"" + text + "\": " + letter + " takes "
                    + (wanted == 3 ? "a cutoff time and an interval (F,2h,15m)" : "a cutoff time, an interval and a "
                    + "factor (" + letter + ",16h,1h,1.5)"));
        }
        try {
            Duration cutoff = Values.parseTime(parts[1]);
            Duration interval = Values.parseTime(parts[2]);
            if (interval.isZero()) {
                throw new IllegalArgumentException("the interval must be longer than 0s");
            }
            double factor = 1;
            if (wanted == 4) {
                factor = Double.parseDouble(parts[3]);
                if (!(factor > 1)) {
                    throw new IllegalArgumentException("the factor must be a number greater than 1");
                }
            }
            return new RetryRule(letter.charAt(0), cutoff, interval, factor);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(source, number, "bad retry rule \"" + text + "\": " + e.getMessage());
        }
    }
}
