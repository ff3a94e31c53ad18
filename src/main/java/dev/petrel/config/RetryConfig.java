package dev.petrel.config;

import java.util.List;
import java.util.Locale;

/**
 * One line of {@code begin retry}: which destinations and errors it covers, and its rules in order. A line
 * without rules is allowed, as in Exim: the errors it matches are not retried at all.
 *
 * @param pattern {@code *}, a domain ({@code example.com}, {@code *.example.com}), {@code *@domain} or a
 *     whole address
 * @param line where it was written, for {@code petrel config} and error messages
 */
public record RetryConfig(String pattern, RetryError error, List<RetryRule> rules, int line) {

    public RetryConfig {
        rules = List.copyOf(rules);
    }

    /** The rule whose cutoff ends last: past it, a destination has timed out. */
    public RetryRule finalRule() {
        return rules.isEmpty() ? null : rules.getLast();
    }

    /**
     * Whether the pattern covers {@code key}, which is an address ({@code local@domain}) or, for a host or a
     * domain, {@code *@name}, as Exim builds it.
     */
    boolean covers(String key) {
        if (pattern.equals("*")) {
            return true;
        }
        String k = key.toLowerCase(Locale.ROOT);
        int at = k.lastIndexOf('@');
        String local = at < 0 ? "*" : k.substring(0, at);
        String domain = at < 0 ? k : k.substring(at + 1);
        String p = pattern.toLowerCase(Locale.ROOT);
        int pat = p.lastIndexOf('@');
        if (pat < 0) {
            return domainMatches(p, domain);
        }
        String localPattern = p.substring(0, pat);
        return (localPattern.equals("*") || localPattern.equals(local)) && domainMatches(p.substring(pat + 1), domain);
    }

    private static boolean domainMatches(String pattern, String domain) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*")) {
            return domain.endsWith(pattern.substring(1));
        }
        return pattern.equals(domain);
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(pattern).append("  ").append(error.name());
        for (int i = 0; i < rules.size(); i++) {
            out.append(i == 0 ? "  " : "; ").append(rules.get(i));
        }
        return out.toString();
    }
}
