package dev.petrel.config;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The manualroute driver's syntax, as Exim writes it. {@code route_list} is a {@code ;}-separated list of
 * routes, each {@code domain-pattern hosts [options]}; {@code route_data} (after expansion) is one route
 * without the pattern. The hosts part (double-quoted if it holds spaces) is an Exim list, colon-separated by
 * default, of {@code name}, {@code name::port}, {@code 192.0.2.1}, {@code [192.0.2.1]::port}, or IPv6 literals
 * after a separator change ({@code "<;; [2001:db8::1]:2525 ;; mx.example"} inside {@code route_list}, where a
 * {@code ;} must be doubled as in any Exim list). Options: {@code randomize},
 * {@code no_randomize}, {@code byname}, {@code bydns}.
 */
public final class RouteList {
    private static final Pattern HOST_NAME = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_.])?");

    /**
     * One route.
     *
     * @param domains the domains it applies to; null for {@code route_data}, which applies to whatever the
     *     router's own preconditions let through
     * @param hosts the host list as written: it is expanded ({@code $domain}, {@code $local_part}) when used
     * @param randomize {@code randomize} / {@code no_randomize}; null leaves it to {@code hosts_randomize}
     * @param byname {@code byname} was given (accepted for Exim compatibility: Petrel resolves host names
     *     through its one resolver either way)
     */
    public record Route(DomainList domains, String hosts, Boolean randomize, boolean byname) {}

    /**
     * One host of a route.
     *
     * @param name the host name, or the literal's text for an IP address
     * @param literal the address when the host was written as an IP literal, else null
     * @param port the port given with the host, or -1 for the transport's
     */
    public record HostSpec(String name, InetAddress literal, int port) {}

    /** A {@code route_list} setting: its routes, in order, and the text it was written as (which is what prints). */
    public record Routes(String text, List<Route> routes) {
        public Routes {
            routes = List.copyOf(routes);
        }
    }

    private RouteList() {}

    /** Parses {@code route_list}. @throws IllegalArgumentException naming the bad route */
    static List<Route> parseList(String text, Map<String, DomainList> named, String primaryHostname) {
        List<Route> routes = new ArrayList<>();
        for (String item : EximList.split(text, ';')) {
            if (item.isEmpty()) {
                continue;
            }
            List<String> words = words(item);
            if (words.size() < 2) {
                throw new IllegalArgumentException("route \"" + item + "\" has no hosts (write: domain-pattern hosts [options])");
            }
            DomainList domains = DomainList.parse(words.get(0), named, primaryHostname);
            routes.add(route(domains, words.subList(1, words.size()), item));
        }
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("no routes given");
        }
        return List.copyOf(routes);
    }

    /**
     * Parses an expanded {@code route_data}: {@code hosts [options]}; null when it is empty, which makes
     * the router decline. @throws IllegalArgumentException naming the problem
     */
    public static Route parseData(String expanded) {
        List<String> words = words(expanded);
        return words.isEmpty() ? null : route(null, words, expanded);
    }

    /** Parses an expanded host list. @throws IllegalArgumentException naming the bad host */
    public static List<HostSpec> hosts(String expanded) {
        List<HostSpec> hosts = new ArrayList<>();
        for (String item : EximList.split(expanded)) {
            if (!item.isEmpty()) {
                hosts.add(host(item));
            }
        }
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("empty host list \"" + expanded + "\"");
        }
        return List.copyOf(hosts);
    }

    private static Route route(DomainList domains, List<String> words, String item) {
        String hosts = words.get(0);
        if (hosts.indexOf('$') < 0) {
            hosts(hosts); // checked now when nothing is left to expand, so a typo fails at start-up
        }
        Boolean randomize = null;
        boolean byname = false;
        for (String option : words.subList(1, words.size())) {
            switch (option) {
                case "randomize" -> randomize = true;
                case "no_randomize" -> randomize = false;
                case "byname" -> byname = true;
                case "bydns" -> byname = false;
                default -> throw new IllegalArgumentException("unknown option \"" + option + "\" in route \"" + item
                        + "\" (known: randomize, no_randomize, byname, bydns)");
            }
        }
        return new Route(domains, hosts, randomize, byname);
    }

    private static HostSpec host(String item) {
        if (item.endsWith("/MX") || item.endsWith("/mx")) {
            throw new IllegalArgumentException("\"" + item + "\": /MX host items are not supported");
        }
        String host = item;
        String port = null;
        if (item.startsWith("[")) {
            int close = item.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ] in host \"" + item + "\"");
            }
            host = item.substring(1, close);
            String rest = item.substring(close + 1);
            if (!rest.isEmpty()) {
                if (rest.charAt(0) != ':') {
                    throw new IllegalArgumentException("bad port in host \"" + item + "\" (write [address]::port)");
                }
                port = rest.substring(1);
            }
            if (!IpAddresses.looksLikeIp(host)) {
                throw new IllegalArgumentException("\"" + host + "\" in [" + host + "] is not an IP address");
            }
        } else if (item.indexOf(':') == item.lastIndexOf(':') && item.indexOf(':') >= 0) {
            host = item.substring(0, item.indexOf(':'));
            port = item.substring(item.indexOf(':') + 1);
        }
        int portNumber = port == null ? -1 : Values.parsePort(port);
        if (IpAddresses.looksLikeIp(host)) {
            return new HostSpec(host, IpAddresses.parse(host), portNumber);
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw new IllegalArgumentException("\"" + item + "\" is not a host name or IP address");
        }
        return new HostSpec(host.toLowerCase(java.util.Locale.ROOT), null, portNumber);
    }

    /** Whitespace-separated words; a double-quoted word may hold spaces. */
    private static List<String> words(String text) {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '"') {
                int end = text.indexOf('"', i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("missing closing quote in \"" + text + "\"");
                }
                words.add(text.substring(i + 1, end));
                i = end + 1;
            } else {
                int end = i;
                while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
                words.add(text.substring(i, end));
                i = end;
            }
        }
        return words;
    }
}
