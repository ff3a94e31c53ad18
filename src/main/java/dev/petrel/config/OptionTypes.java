package dev.petrel.config;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The value types options are declared with: Exim's, plus the few shapes only one option has. */
public final class OptionTypes {
    private OptionTypes() {}

    /** A plain string; set empty, it is unset. */
    public static final OptionType<String> STRING = new Simple<>(OptionTypes::emptyAsNull, s -> s);

    /**
     * A string kept as written, whose {@code $name} items are expanded where it is used (at delivery, per
     * recipient), as Exim marks with a dagger; the configuration only stores it.
     */
    public static final OptionType<String> EXPANDABLE = new Simple<>(OptionTypes::emptyAsNull, s -> s);

    /**
     * A newline-separated list of expandable items, as Exim's {@code headers_add}: each setting of the option
     * adds its text as a further item rather than replacing what came before.
     */
    public static final OptionType<String> EXPANDABLE_LINES = joined("\n");

    /** A colon-separated list of expandable items, as {@code headers_remove}: each setting adds its items. */
    public static final OptionType<String> EXPANDABLE_ITEMS = joined(":");

    private static OptionType<String> joined(String joiner) {
        return new OptionType<>() {
            @Override
            public String parse(String text, OptionContext context) {
                return emptyAsNull(text);
            }

            @Override
            public String print(String value) {
                return value == null ? "" : value;
            }

            @Override
            public String joiner() {
                return joiner;
            }
        };
    }

    public static final OptionType<Boolean> BOOL = new OptionType<>() {
        @Override
        public Boolean parse(String text, OptionContext context) {
            return Values.parseBoolean(text);
        }

        @Override
        public String print(Boolean value) {
            return value == null ? "" : value.toString();
        }

        @Override
        public boolean isBoolean() {
            return true;
        }
    };

    /** A count: Exim integer syntax (K/M/G, 0x, leading 0 octal), at least 0. */
    public static final OptionType<Integer> INT = new Simple<>(t -> Values.parseInt(t, 0), String::valueOf);

    /** A size in bytes, printed with the largest exact K/M/G suffix as {@code exim -bP} does. */
    public static final OptionType<Long> SIZE = new Simple<>(OptionTypes::size, Values::formatSize);

    public static final OptionType<Duration> TIME = new Simple<>(Values::parseTime, Values::formatTime);

    /** A colon-separated list of times ({@code 4h:8h:24h}), as Exim's {@code delay_warning}; empty for none. */
    public static final OptionType<List<Duration>> TIME_LIST = new Simple<>(OptionTypes::times,
            times -> times.stream().map(Values::formatTime).collect(Collectors.joining(":")));

    /** Always octal, like appendfile's {@code mode}. */
    public static final OptionType<Integer> OCTAL = new Simple<>(Values::parseOctal, v -> "0" + Integer.toOctalString(v));

    public static final OptionType<Path> PATH = new Simple<>(OptionTypes::path, Path::toString);

    /** A string that may not be empty. */
    public static final OptionType<String> NON_EMPTY = new Simple<>(OptionTypes::nonEmpty, s -> s);

    /** A port, or an expandable string giving one: checked now only when there is nothing to expand. */
    public static final OptionType<String> PORT = new Simple<>(OptionTypes::port, s -> s);

    /** A colon-separated list of ports ({@code 25 : smtps}), duplicates dropped. */
    public static final OptionType<List<Integer>> PORTS = new Simple<>(OptionTypes::ports,
            ports -> ports.stream().map(String::valueOf).collect(Collectors.joining(" : ")));

    /** {@code log_selector}: {@code +name}/{@code -name} applied to Exim's defaults; printed as written. */
    public static final OptionType<LogSelectors.Selection> LOG_SELECTOR = new Simple<>(LogSelectors::resolve, LogSelectors.Selection::text);

    public static final OptionType<HostList> HOST_LIST = new ListType<>(
            (text, c) -> HostList.parse(text, c.hostLists(), c.primaryHostname()), HostList::text, HostList.none());

    public static final OptionType<DomainList> DOMAIN_LIST = new ListType<>(
            (text, c) -> DomainList.parse(text, c.domainLists(), c.primaryHostname()), DomainList::text, DomainList.none());

    /** manualroute's {@code route_list}: routes separated by {@code ;}, domain patterns may name domain lists. */
    public static final OptionType<RouteList.Routes> ROUTE_LIST = new OptionType<>() {
        @Override
        public RouteList.Routes parse(String text, OptionContext c) {
            return new RouteList.Routes(text, RouteList.parseList(text, c.domainLists(), c.primaryHostname()));
        }

        @Override
        public String print(RouteList.Routes value) {
            return value == null ? "" : value.text();
        }
    };

    /** The same type, except that a setting left empty means unset, as an empty Exim expansion does. */
    public static <T> OptionType<T> emptyAsUnset(OptionType<T> type) {
        return new OptionType<>() {
            @Override
            public T parse(String text, OptionContext context) {
                return text.isBlank() ? null : type.parse(text, context);
            }

            @Override
            public String print(T value) {
                return type.print(value);
            }
        };
    }

    /** A {@link #PORT} option's value once expanded: a number or a service name ({@code smtps}). */
    public static int portNumber(String expanded) {
        return Values.parsePort(expanded);
    }

    /** One of a few words, listed in the error as they are given here. */
    public static OptionType<String> choice(String... words) {
        return oneOf(null, words);
    }

    /** One of a fixed set of words; {@code reason} says what is allowed, or null to list the words. */
    public static OptionType<String> oneOf(String reason, String... words) {
        Set<String> allowed = Set.of(words);
        return new Simple<>(t -> {
            if (!allowed.contains(t)) {
                throw new IllegalArgumentException(reason != null ? reason
                        : "\"" + t + "\" is not one of " + String.join(", ", words));
            }
            return t;
        }, s -> s);
    }

    /**
     * {@code local_interfaces}: an address without a port listens on each of {@code ports}, which is why
     * that option is declared first.
     */
    public static OptionType<List<ListenAddress>> listenAddresses(Option<List<Integer>> ports) {
        return addresses((text, c) -> ListenAddress.parseList(text, c.value(ports)));
    }

    /**
     * Servers to talk to ({@code dns_servers}): the same notation, an address written without a port takes
     * {@code port}, and port 0 is refused since there is no kernel to pick one.
     */
    public static OptionType<List<ListenAddress>> servers(int port) {
        return addresses((text, c) -> ListenAddress.parseServers(text, port));
    }

    private static OptionType<List<ListenAddress>> addresses(BiFunction<String, OptionContext, List<ListenAddress>> reader) {
        return new OptionType<>() {
            @Override
            public List<ListenAddress> parse(String text, OptionContext c) {
                return reader.apply(text, c);
            }

            @Override
            public String print(List<ListenAddress> list) {
                boolean v6 = list.stream().anyMatch(ListenAddress::isIpv6);
                return list.stream().map(ListenAddress::toString)
                        .collect(Collectors.joining(v6 ? " ; " : " : ", v6 ? "<; " : "", ""));
            }
        };
    }

    /** A type whose reading needs nothing but the text. */
    private record Simple<T>(Function<String, T> reader, Function<T, String> printer) implements OptionType<T> {
        @Override
        public T parse(String text, OptionContext context) {
            return reader.apply(text);
        }

        @Override
        public String print(T value) {
            return value == null ? "" : printer.apply(value);
        }
    }

    /** A host or domain list: {@code +name} and {@code @} need the context; unset, it matches nothing. */
    private record ListType<L>(BiFunction<String, OptionContext, L> reader, Function<L, String> printer, L none)
            implements OptionType<L> {
        @Override
        public L parse(String text, OptionContext context) {
            return reader.apply(text, context);
        }

        @Override
        public String print(L value) {
            return value == null ? "" : printer.apply(value);
        }

        @Override
        public L unset() {
            return none;
        }
    }

    private static String emptyAsNull(String text) {
        return text.isBlank() ? null : text;
    }

    private static String nonEmpty(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        return text;
    }

    private static long size(String text) {
        long v = Values.parseInteger(text);
        if (v < 0) {
            throw new IllegalArgumentException("\"" + text + "\" is negative");
        }
        return v;
    }

    private static Path path(String text) {
        nonEmpty(text);
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid path");
        }
    }

    private static String port(String text) {
        if (text.indexOf('$') < 0) {
            Values.parsePort(text);
        }
        return text;
    }

    private static List<Duration> times(String text) {
        List<Duration> out = new ArrayList<>();
        for (String item : text.split(":")) {
            if (!item.isBlank()) {
                out.add(Values.parseTime(item.strip()));
            }
        }
        return List.copyOf(out);
    }

    private static List<Integer> ports(String text) {
        List<Integer> out = new ArrayList<>();
        for (String item : EximList.split(text)) {
            if (!item.isEmpty() && !out.contains(Values.parsePort(item))) {
                out.add(Values.parsePort(item));
            }
        }
        return List.copyOf(out);
    }
}
