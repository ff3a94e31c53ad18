package dev.petrel.config;

import java.net.InetAddress;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Collects the main section as written, then turns it into a {@link MainConfig}. Values are checked
 * only once the whole section is read, because some depend on others set later in the file
 * ({@code @} in a list means whatever {@code primary_hostname} finally is; bare interfaces take
 * {@code daemon_smtp_ports}).
 */
final class MainSection {
    private static final Set<String> BOOLEANS = Set.of("smtp_enforce_sync", "queue_only");
    private static final Map<String, String> ALIASES = Map.of("daemon_smtp_port", "daemon_smtp_ports");

    /** Every main option, with its default as text (null: unset, or computed). */
    private static final Map<String, String> DEFAULTS = new HashMap<>();

    static {
        DEFAULTS.put("primary_hostname", null);
        DEFAULTS.put("local_interfaces", null);
        DEFAULTS.put("daemon_smtp_ports", "25");
        DEFAULTS.put("tls_on_connect_ports", "");
        DEFAULTS.put("spool_directory", "var/spool");
        DEFAULTS.put("log_file_path", "var/log/%slog");
        DEFAULTS.put("log_selector", "");
        DEFAULTS.put("pipelining_connect_advertise_hosts", "*");
        DEFAULTS.put("pipelining_advertise_hosts", "*");
        DEFAULTS.put("chunking_advertise_hosts", "*");
        DEFAULTS.put("tls_advertise_hosts", "*");
        DEFAULTS.put("tls_resumption_hosts", null);
        DEFAULTS.put("tls_certificate", null);
        DEFAULTS.put("tls_privatekey", null);
        DEFAULTS.put("tls_ticket_key_rotate", "1h");
        DEFAULTS.put("tls_ticket_lifetime", "2h");
        DEFAULTS.put("message_size_limit", "50M");
        DEFAULTS.put("recipients_max", "50000");
        DEFAULTS.put("smtp_accept_max", "100");
        DEFAULTS.put("smtp_accept_max_per_host", null);
        DEFAULTS.put("smtp_accept_reserve", "0");
        DEFAULTS.put("smtp_reserve_hosts", null);
        DEFAULTS.put("smtp_receive_timeout", "5m");
        DEFAULTS.put("smtp_receive_min_rate", "500");
        DEFAULTS.put("smtp_enforce_sync", "true");
        DEFAULTS.put("retry_data_expire", "7d");
        DEFAULTS.put("smtp_max_unknown_commands", "3");
        DEFAULTS.put("smtp_max_synprot_errors", "3");
        DEFAULTS.put("qualify_domain", null);
        DEFAULTS.put("message_id_format", "4.97");
        DEFAULTS.put("queue_only", "false");
        DEFAULTS.put("dns_servers", null);
    }

    record NamedList(String kind, String name, String value, int line) {}

    /** What the main section yields: the typed view, the printable view, and the named lists for drivers. */
    record Result(MainConfig main, Map<String, String> effective,
                  Map<String, HostList> hostLists, Map<String, DomainList> domainLists) {}

    private final String source;
    private final Map<String, Setting> settings = new HashMap<>();
    private final List<NamedList> namedLists = new ArrayList<>();

    MainSection(String source) {
        this.source = source;
    }

    static boolean isKnown(String name) {
        return DEFAULTS.containsKey(name) || ALIASES.containsKey(name);
    }

    void set(Setting s) throws ConfigException {
        String name = s.name();
        String value = s.value();
        if (!isKnown(name)) {
            String base = negatedBase(name);
            if (base != null && BOOLEANS.contains(base)) {
                if (!s.bare()) {
                    throw error(s.line(), "\"" + name + "\" cannot be given a value; write " + base + " = false");
                }
                settings.put(base, new Setting(base, "false", s.line()));
                return;
            }
            throw error(s.line(), "main option \"" + name + "\" unknown");
        }
        name = ALIASES.getOrDefault(name, name);
        if (s.bare()) {
            if (!BOOLEANS.contains(name)) {
                throw error(s.line(), "main option \"" + name + "\" needs a value (" + name + " = ...)");
            }
            value = "true";
        }
        settings.put(name, new Setting(name, value, s.line()));
    }

    void addNamedList(NamedList list) throws ConfigException {
        for (NamedList other : namedLists) {
            if (other.kind().equals(list.kind()) && other.name().equals(list.name())) {
                throw error(list.line(), list.kind() + " \"" + list.name() + "\" is already defined (line " + other.line() + ")");
            }
        }
        namedLists.add(list);
    }

    Result build() throws ConfigException {
        String primary = text("primary_hostname");
        if (primary == null || primary.isBlank()) {
            primary = LocalHost.NAME;
        }
        String hostname = primary;

        Map<String, HostList> hostLists = new LinkedHashMap<>();
        Map<String, DomainList> domainLists = new LinkedHashMap<>();
        for (NamedList n : namedLists) {
            try {
                if (n.kind().equals("hostlist")) {
                    hostLists.put(n.name(), HostList.parse(n.value(), hostLists, hostname));
                } else {
                    domainLists.put(n.name(), DomainList.parse(n.value(), domainLists, hostname));
                }
            } catch (IllegalArgumentException e) {
                throw error(n.line(), n.kind() + " " + n.name() + ": " + e.getMessage());
            }
        }

        List<Integer> ports = value("daemon_smtp_ports", MainSection::ports);
        if (ports.isEmpty()) {
            throw error(lineOf("daemon_smtp_ports"), "main option \"daemon_smtp_ports\" is empty");
        }
        List<Integer> tlsPorts = value("tls_on_connect_ports", MainSection::ports);
        String interfacesText = text("local_interfaces");
        List<ListenAddress> interfaces = interfacesText == null
                ? ports.stream().map(p -> new ListenAddress("127.0.0.1", p)).toList()
                : value("local_interfaces", t -> ListenAddress.parseList(t, ports));
        if (interfaces.isEmpty()) {
            throw error(lineOf("local_interfaces"), "main option \"local_interfaces\" is empty: the daemon would listen nowhere");
        }
        String qualify = text("qualify_domain");
        if (qualify == null || qualify.isBlank()) {
            qualify = hostname;
        }

        int acceptMax = value("smtp_accept_max", t -> Values.parseInt(t, 0));
        if (acceptMax == 0 && settings.containsKey("smtp_accept_max_per_host")
                && !text("smtp_accept_max_per_host").isBlank()) {
            // Exim's rule: the per-host counts are kept in smtp_accept_max's table.
            throw error(lineOf("smtp_accept_max_per_host"),
                    "smtp_accept_max must be set if smtp_accept_max_per_host is set");
        }
        MainConfig main = new MainConfig(
                hostname,
                interfaces,
                ports,
                tlsPorts,
                value("spool_directory", MainSection::path),
                value("log_file_path", MainSection::nonEmpty),
                value("log_selector", LogSelectors::resolve),
                hostList("pipelining_connect_advertise_hosts", hostLists, hostname),
                hostList("pipelining_advertise_hosts", hostLists, hostname),
                hostList("chunking_advertise_hosts", hostLists, hostname),
                hostList("tls_advertise_hosts", hostLists, hostname),
                hostList("tls_resumption_hosts", hostLists, hostname),
                emptyAsNull(text("tls_certificate")),
                emptyAsNull(text("tls_privatekey")),
                value("tls_ticket_key_rotate", MainSection::positiveTime),
                value("tls_ticket_lifetime", MainSection::positiveTime),
                value("message_size_limit", MainSection::size),
                value("recipients_max", t -> Values.parseInt(t, 0)),
                acceptMax,
                value("smtp_accept_max_per_host", t -> t == null || t.isBlank() ? 0 : Values.parseInt(t, 0)),
                value("smtp_accept_reserve", t -> Values.parseInt(t, 0)),
                hostList("smtp_reserve_hosts", hostLists, hostname),
                value("smtp_receive_timeout", Values::parseTime),
                value("smtp_receive_min_rate", MainSection::size),
                value("smtp_enforce_sync", Values::parseBoolean),
                domainLists.getOrDefault("local_domains", DomainList.none()),
                domainLists.getOrDefault("relay_to_domains", DomainList.none()),
                hostLists.getOrDefault("relay_from_hosts", HostList.none()),
                value("retry_data_expire", Values::parseTime),
                value("smtp_max_unknown_commands", t -> Values.parseInt(t, 0)),
                value("smtp_max_synprot_errors", t -> Values.parseInt(t, 0)),
                qualify,
                value("message_id_format", MainSection::messageIdFormat),
                value("queue_only", Values::parseBoolean),
                value("dns_servers", t -> t == null ? List.of() : ListenAddress.parseServers(t, 53)));
        return new Result(main, printable(main), hostLists, domainLists);
    }

    /** Values as {@code petrel config} prints them, in Exim's {@code -bP} style and alphabetical order. */
    private Map<String, String> printable(MainConfig m) {
        Map<String, String> p = new TreeMap<>();
        p.put("primary_hostname", m.primaryHostname());
        p.put("local_interfaces", interfaces(m.localInterfaces()));
        p.put("daemon_smtp_ports", joinPorts(m.daemonSmtpPorts()));
        p.put("tls_on_connect_ports", joinPorts(m.tlsOnConnectPorts()));
        p.put("spool_directory", m.spoolDirectory().toString());
        p.put("log_file_path", m.logFilePath());
        p.put("log_selector", orEmpty(text("log_selector")));
        p.put("pipelining_connect_advertise_hosts", m.pipeliningConnectAdvertiseHosts().text());
        p.put("pipelining_advertise_hosts", m.pipeliningAdvertiseHosts().text());
        p.put("chunking_advertise_hosts", m.chunkingAdvertiseHosts().text());
        p.put("tls_advertise_hosts", m.tlsAdvertiseHosts().text());
        p.put("tls_resumption_hosts", m.tlsResumptionHosts().text());
        p.put("tls_certificate", orEmpty(m.tlsCertificate()));
        p.put("tls_privatekey", orEmpty(m.tlsPrivatekey()));
        p.put("tls_ticket_key_rotate", Values.formatTime(m.tlsTicketKeyRotate()));
        p.put("tls_ticket_lifetime", Values.formatTime(m.tlsTicketLifetime()));
        p.put("message_size_limit", Values.formatSize(m.messageSizeLimit()));
        p.put("recipients_max", Integer.toString(m.recipientsMax()));
        p.put("smtp_accept_max", Integer.toString(m.smtpAcceptMax()));
        p.put("smtp_accept_max_per_host", m.smtpAcceptMaxPerHost() == 0 ? "" : Integer.toString(m.smtpAcceptMaxPerHost()));
        p.put("smtp_accept_reserve", Integer.toString(m.smtpAcceptReserve()));
        p.put("smtp_reserve_hosts", m.smtpReserveHosts().text());
        p.put("smtp_receive_timeout", Values.formatTime(m.smtpReceiveTimeout()));
        p.put("smtp_receive_min_rate", Long.toString(m.smtpReceiveMinRate()));
        p.put("smtp_enforce_sync", Boolean.toString(m.smtpEnforceSync()));
        p.put("retry_data_expire", Values.formatTime(m.retryDataExpire()));
        p.put("smtp_max_unknown_commands", Integer.toString(m.smtpMaxUnknownCommands()));
        p.put("smtp_max_synprot_errors", Integer.toString(m.smtpMaxSynprotErrors()));
        p.put("qualify_domain", m.qualifyDomain());
        p.put("message_id_format", m.messageIdFormat());
        p.put("queue_only", Boolean.toString(m.queueOnly()));
        p.put("dns_servers", m.dnsServers().isEmpty() ? "" : interfaces(m.dnsServers()));
        return new LinkedHashMap<>(p);
    }

    private static String messageIdFormat(String text) {
        if (!text.equals("4.96") && !text.equals("4.97")) {
            throw new IllegalArgumentException("must be 4.97 (23-character ids) or 4.96 (16-character ids)");
        }
        return text;
    }

    private interface Parser<T> {
        T parse(String text);
    }

    private String text(String name) {
        Setting s = settings.get(name);
        return s != null ? s.value() : DEFAULTS.get(name);
    }

    private int lineOf(String name) {
        Setting s = settings.get(name);
        return s == null ? 0 : s.line();
    }

    private <T> T value(String name, Parser<T> parser) throws ConfigException {
        Setting s = settings.get(name);
        String text = s != null ? s.value() : DEFAULTS.get(name);
        try {
            return parser.parse(text);
        } catch (IllegalArgumentException e) {
            if (s == null) {
                throw new IllegalStateException("built-in default of " + name + " is invalid", e);
            }
            throw error(s.line(), "main option \"" + name + "\": " + e.getMessage());
        }
    }

    private HostList hostList(String name, Map<String, HostList> named, String hostname) throws ConfigException {
        return value(name, t -> t == null ? HostList.none() : HostList.parse(t, named, hostname));
    }

    private ConfigException error(int line, String reason) {
        return new ConfigException(source, line, reason);
    }

    private static String negatedBase(String name) {
        if (name.startsWith("no_")) {
            return name.substring(3);
        }
        if (name.startsWith("not_")) {
            return name.substring(4);
        }
        return null;
    }

    private static List<Integer> ports(String text) {
        List<Integer> out = new ArrayList<>();
        for (String item : EximList.split(text)) {
            if (!item.isEmpty() && !out.contains(Values.parsePort(item))) {
                out.add(Values.parsePort(item));
            }
        }
        return out;
    }

    private static Path path(String text) {
        if (text.isBlank()) {
            throw new IllegalArgumentException("must not be empty");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("\"" + text + "\" is not a valid path");
        }
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

    private static Duration positiveTime(String text) {
        Duration d = Values.parseTime(text);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be longer than 0s");
        }
        return d;
    }

    private static String interfaces(List<ListenAddress> list) {
        boolean v6 = list.stream().anyMatch(ListenAddress::isIpv6);
        return list.stream().map(ListenAddress::toString).collect(Collectors.joining(v6 ? " ; " : " : ", v6 ? "<; " : "", ""));
    }

    private static String joinPorts(List<Integer> ports) {
        return ports.stream().map(String::valueOf).collect(Collectors.joining(" : "));
    }

    private static String emptyAsNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    /** Looked up once per process: a slow resolver should not be paid for on every parse. */
    private static final class LocalHost {
        static final String NAME = lookup();

        private static String lookup() {
            try {
                String name = InetAddress.getLocalHost().getCanonicalHostName();
                return name == null || name.isBlank() ? "localhost" : name;
            } catch (Exception e) {
                return "localhost";
            }
        }
    }
}
