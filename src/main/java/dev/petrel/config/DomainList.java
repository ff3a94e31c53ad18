package dev.petrel.config;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * An Exim domain list. Matching is case-insensitive; the first item that matches decides, a
 * {@code !item} excludes, and a list that ends with a negative item matches whatever it did not exclude.
 *
 * <p>Supported items: {@code *}; a literal domain; {@code *suffix} (so {@code *.example.com} matches
 * subdomains only and {@code *example.com} also the domain itself); {@code ^regex} (Java syntax,
 * case-insensitive, searched like Exim's, so anchor it with {@code $} for a whole-name match);
 * {@code @} ({@code primary_hostname}); {@code @[]} (a domain literal such as {@code [127.0.0.1]} naming
 * a local interface); {@code +name} (a named {@code domainlist}); an empty item (matches the empty
 * domain). {@code localhost} is simply a literal domain.
 *
 * <p>Rejected when parsed: lookups ({@code type;key}), file names and the {@code @mx_*} items.
 */
public final class DomainList {
    private static final DomainList NONE = new DomainList("", MatchList.empty());
    private static final DomainList ALL = parse("*", null, null);

    private final String text;
    private final MatchList<String> items;

    private DomainList(String text, MatchList<String> items) {
        this.text = text;
        this.items = items;
    }

    /**
     * Parses a domain list.
     *
     * @param named lists that {@code +name} items may refer to (may be null when there are none)
     * @param primaryHostname what {@code @} stands for
     * @throws IllegalArgumentException naming the bad item
     */
    public static DomainList parse(String text, Map<String, DomainList> named, String primaryHostname) {
        if (text == null) {
            return NONE;
        }
        Map<String, DomainList> lists = named == null ? Map.of() : named;
        return new DomainList(text, MatchList.parse(text, item -> pattern(item, lists, primaryHostname)));
    }

    /** The unset list: matches nothing. */
    public static DomainList none() {
        return NONE;
    }

    /** Matches every domain: what an unset router {@code domains} option means. */
    public static DomainList all() {
        return ALL;
    }

    public boolean matches(String domain) {
        if (domain == null) {
            return false;
        }
        return items.matches(domain.toLowerCase(Locale.ROOT));
    }

    /** The list as written, for {@code describe()}. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DomainList other && other.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    private static Predicate<String> pattern(String p, Map<String, DomainList> named, String primaryHostname) {
        if (p.isEmpty()) {
            return String::isEmpty;
        }
        if (p.equals("*")) {
            return d -> true;
        }
        if (p.startsWith("^")) {
            try {
                Pattern regex = Pattern.compile(p, Pattern.CASE_INSENSITIVE);
                return d -> regex.matcher(d).find();
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("bad regular expression \"" + p + "\": " + e.getDescription());
            }
        }
        if (p.startsWith("+")) {
            DomainList sub = named.get(p.substring(1));
            if (sub == null) {
                throw new IllegalArgumentException("unknown domain list \"" + p + "\" (define it with domainlist before use)");
            }
            return sub::matches;
        }
        if (p.equals("@")) {
            String primary = primaryHostname == null ? "" : primaryHostname.toLowerCase(Locale.ROOT);
            return primary::equals;
        }
        if (p.equals("@[]")) {
            return DomainList::isLocalDomainLiteral;
        }
        if (p.startsWith("@")) {
            throw new IllegalArgumentException("unsupported special domain list item \"" + p + "\"");
        }
        if (p.startsWith("/")) {
            throw new IllegalArgumentException("file names in domain lists are not supported: \"" + p + "\"");
        }
        if (p.indexOf(';') >= 0) {
            throw new IllegalArgumentException("lookups in domain lists are not supported: \"" + p + "\"");
        }
        String lower = p.toLowerCase(Locale.ROOT);
        if (lower.startsWith("*")) {
            String suffix = lower.substring(1);
            return d -> d.endsWith(suffix);
        }
        return lower::equals;
    }

    private static boolean isLocalDomainLiteral(String d) {
        if (!d.startsWith("[") || !d.endsWith("]")) {
            return false;
        }
        String ip = d.substring(1, d.length() - 1);
        if (ip.startsWith("ipv6:")) {
            ip = ip.substring(5);
        }
        try {
            InetAddress a = IpAddresses.parse(ip);
            return HostList.isLocalInterface(a);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
