package dev.petrel.config;

import static dev.petrel.config.OptionTypes.BOOL;
import static dev.petrel.config.OptionTypes.HOST_LIST;
import static dev.petrel.config.OptionTypes.INT;
import static dev.petrel.config.OptionTypes.NON_EMPTY;
import static dev.petrel.config.OptionTypes.PATH;
import static dev.petrel.config.OptionTypes.PORTS;
import static dev.petrel.config.OptionTypes.SIZE;
import static dev.petrel.config.OptionTypes.STRING;
import static dev.petrel.config.OptionTypes.TIME;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Every main option, declared once: name, type, default (Exim's unless noted). Adding an option is one
 * line here and {@code config.main().get(MainOptions.NAME)} where it is used. Options that depend on
 * others are declared after them ({@code daemon_smtp_ports} before {@code local_interfaces}).
 */
public final class MainOptions {
    public static final OptionTable TABLE = new OptionTable("main", null);

    /** Unset or empty: the local host's canonical name, else {@code localhost}. */
    public static final Option<String> PRIMARY_HOSTNAME = TABLE.add(
            Option.of("primary_hostname", STRING, null).computed(c -> LocalHost.NAME));
    public static final Option<List<Integer>> DAEMON_SMTP_PORTS = TABLE.add(
            Option.of("daemon_smtp_ports", PORTS, "25").alias("daemon_smtp_port").require(p -> !p.isEmpty(), "is empty"));
    /** Unset: 127.0.0.1 on each of {@code daemon_smtp_ports} (Exim listens on every interface). */
    public static final Option<List<ListenAddress>> LOCAL_INTERFACES = TABLE.add(
            Option.of("local_interfaces", OptionTypes.listenAddresses(DAEMON_SMTP_PORTS), null)
                    .computed(c -> c.value(DAEMON_SMTP_PORTS).stream().map(p -> new ListenAddress("127.0.0.1", p)).toList())
                    .require(l -> !l.isEmpty(), "is empty: the daemon would listen nowhere"));
    public static final Option<List<Integer>> TLS_ON_CONNECT_PORTS = TABLE.add("tls_on_connect_ports", PORTS, "");
    public static final Option<Path> SPOOL_DIRECTORY = TABLE.add("spool_directory", PATH, "var/spool");
    /** {@code %s} becomes main, reject or panic. */
    public static final Option<String> LOG_FILE_PATH = TABLE.add("log_file_path", NON_EMPTY, "var/log/%slog");
    public static final Option<LogSelectors.Selection> LOG_SELECTOR = TABLE.add("log_selector", OptionTypes.LOG_SELECTOR, "");
    public static final Option<HostList> PIPELINING_CONNECT_ADVERTISE_HOSTS =
            TABLE.add("pipelining_connect_advertise_hosts", HOST_LIST, "*");
    public static final Option<HostList> PIPELINING_ADVERTISE_HOSTS = TABLE.add("pipelining_advertise_hosts", HOST_LIST, "*");
    public static final Option<HostList> CHUNKING_ADVERTISE_HOSTS = TABLE.add("chunking_advertise_hosts", HOST_LIST, "*");
    /** Unset, matching nothing, as Exim's: DSN is offered only where the operator wants notifications honoured. */
    public static final Option<HostList> DSN_ADVERTISE_HOSTS = TABLE.add("dsn_advertise_hosts", HOST_LIST, null);
    public static final Option<HostList> TLS_ADVERTISE_HOSTS = TABLE.add("tls_advertise_hosts", HOST_LIST, "*");
    /** Unset, matching nothing: some senders abort STARTTLS when offered tickets, so resumption is opt-in. */
    public static final Option<HostList> TLS_RESUMPTION_HOSTS = TABLE.add("tls_resumption_hosts", HOST_LIST, null);
    public static final Option<String> TLS_CERTIFICATE = TABLE.add("tls_certificate", STRING, null);
    public static final Option<String> TLS_PRIVATEKEY = TABLE.add("tls_privatekey", STRING, null);
    /** Petrel's option: a new ticket key this often. */
    public static final Option<Duration> TLS_TICKET_KEY_ROTATE = TABLE.add(
            Option.of("tls_ticket_key_rotate", TIME, "1h").require(d -> !d.isZero(), "must be longer than 0s"));
    /** Petrel's option: how long a ticket key is kept after it was made. */
    public static final Option<Duration> TLS_TICKET_LIFETIME = TABLE.add(
            Option.of("tls_ticket_lifetime", TIME, "2h").require(d -> !d.isZero(), "must be longer than 0s"));
    /** 0 means no limit. */
    public static final Option<Long> MESSAGE_SIZE_LIMIT = TABLE.add("message_size_limit", SIZE, "50M");
    public static final Option<Integer> RECIPIENTS_MAX = TABLE.add("recipients_max", INT, "50000");
    /** 100, where Exim has 20: too low for a relay that keeps connections open for pipelining and reuse. */
    public static final Option<Integer> SMTP_ACCEPT_MAX = TABLE.add("smtp_accept_max", INT, "100");
    /** Connections at once from one IP address; unset (or empty), no limit. Counted in smtp_accept_max's table. */
    public static final Option<Integer> SMTP_ACCEPT_MAX_PER_HOST = TABLE.add(
            Option.of("smtp_accept_max_per_host", OptionTypes.emptyAsUnset(INT), null)
                    .require((n, c) -> c.value(SMTP_ACCEPT_MAX) > 0,
                            "is set, so smtp_accept_max must be set too (Exim: smtp_accept_max must be set if "
                                    + "smtp_accept_max_per_host is set)"));
    /** Of the smtp_accept_max slots, how many only smtp_reserve_hosts may take. */
    public static final Option<Integer> SMTP_ACCEPT_RESERVE = TABLE.add("smtp_accept_reserve", INT, "0");
    public static final Option<HostList> SMTP_RESERVE_HOSTS = TABLE.add("smtp_reserve_hosts", HOST_LIST, null);
    /**
     * Bounds the silence between commands, the time from a command line's first octet to its end, and each
     * silence within a message.
     */
    public static final Option<Duration> SMTP_RECEIVE_TIMEOUT = TABLE.add("smtp_receive_timeout", TIME, "5m");
    /**
     * Petrel's option: octets a second a DATA or BDAT transfer must average once its first smtp_receive_timeout
     * is used up, 0 for no minimum; 500 as Postfix's smtpd_min_data_rate.
     */
    public static final Option<Long> SMTP_RECEIVE_MIN_RATE = TABLE.add("smtp_receive_min_rate", SIZE, "500");
    public static final Option<Boolean> SMTP_ENFORCE_SYNC = TABLE.add("smtp_enforce_sync", BOOL, "true");
    public static final Option<Duration> RETRY_DATA_EXPIRE = TABLE.add("retry_data_expire", TIME, "7d");
    /** No retry interval a rule computes is longer than this. */
    public static final Option<Duration> RETRY_INTERVAL_MAX = TABLE.add(
            Option.of("retry_interval_max", TIME, "24h").require(d -> !d.isZero(), "must be longer than 0s"));
    public static final Option<Integer> SMTP_MAX_UNKNOWN_COMMANDS = TABLE.add("smtp_max_unknown_commands", INT, "3");
    public static final Option<Integer> SMTP_MAX_SYNPROT_ERRORS = TABLE.add("smtp_max_synprot_errors", INT, "3");
    /**
     * When a message still deferred gets an {@code Action: delayed} DSN: after each time in the list since
     * arrival, then every interval between the last two (the last alone, when it is the only one). Empty or 0: never.
     */
    public static final Option<List<Duration>> DELAY_WARNING = TABLE.add(
            Option.of("delay_warning", OptionTypes.TIME_LIST, "24h").require(l -> l.size() <= 10, "has more than 10 times"));
    /** Unset or empty: {@code primary_hostname}. */
    public static final Option<String> QUALIFY_DOMAIN = TABLE.add(
            Option.of("qualify_domain", STRING, null).computed(c -> c.value(PRIMARY_HOSTNAME)));
    /**
     * Petrel's own: {@code 4.97} for Exim's current 23-character ids, {@code 4.96} for the 16-character ids
     * that Exim 4.96 and its eximstats/exigrep expect.
     */
    public static final Option<String> MESSAGE_ID_FORMAT = TABLE.add("message_id_format",
            OptionTypes.oneOf("must be 4.97 (23-character ids) or 4.96 (16-character ids)", "4.97", "4.96"), "4.97");
    /** Accepted messages wait for the next queue run instead of being delivered at once. */
    public static final Option<Boolean> QUEUE_ONLY = TABLE.add("queue_only", BOOL, "false");
    /**
     * Petrel's own: how often the daemon starts a queue run (Exim has only the daemon's {@code -q} option, which
     * {@code petrel daemon -q} still is and which overrides this).
     */
    public static final Option<Duration> QUEUE_RUN_INTERVAL = TABLE.add(
            Option.of("queue_run_interval", TIME, "5m").require(d -> !d.isZero(), "must be longer than 0s"));
    /** Messages a queue run delivers at once, as Exim starts at most this many queue runner processes. */
    public static final Option<Integer> QUEUE_RUN_MAX = TABLE.add(
            Option.of("queue_run_max", INT, "5").require(n -> n >= 1, "must be at least 1"));
    /**
     * Petrel's own: message deliveries running at once in a process, immediate ones and queue runs' together
     * (Exim has a process for each, bounded in effect by {@code smtp_accept_max} and {@code queue_run_max}).
     */
    public static final Option<Integer> DELIVERY_MAX_PARALLEL = TABLE.add(
            Option.of("delivery_max_parallel", INT, "32").require(n -> n >= 1, "must be at least 1"));
    /**
     * Petrel's own: smtp connections open at once to one remote host (IP and port), across every delivery in the
     * process, so that a burst for one destination does not open a connection per message (Postfix's
     * destination concurrency limit; Exim's {@code serialize_hosts} is the case of 1).
     */
    public static final Option<Integer> REMOTE_MAX_PER_HOST = TABLE.add(
            Option.of("remote_max_per_host", INT, "10").require(n -> n >= 1, "must be at least 1"));
    /**
     * Petrel's own (Exim has no such option): the DNS servers the routers ask, as {@code ip.port} or {@code ip}
     * (port 53); unset, the system's resolver configuration.
     */
    public static final Option<List<ListenAddress>> DNS_SERVERS = TABLE.add(
            Option.of("dns_servers", OptionTypes.servers(53), null).computed(c -> List.of()));

    private MainOptions() {}

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
