package dev.petrel.config;

import static dev.petrel.config.OptionTypes.BOOL;
import static dev.petrel.config.OptionTypes.EXPANDABLE;
import static dev.petrel.config.OptionTypes.HOST_LIST;
import static dev.petrel.config.OptionTypes.INT;
import static dev.petrel.config.OptionTypes.OCTAL;
import static dev.petrel.config.OptionTypes.STRING;
import static dev.petrel.config.OptionTypes.TIME;

import java.time.Duration;

/**
 * Transport options, declared once each with Exim's defaults: the generic ones, then each driver's table.
 * Read them back with {@link TransportConfig#get(Option)}.
 */
public final class TransportOptions {
    public static final OptionTable GENERIC = new OptionTable("transport", null);

    public static final Option<String> DRIVER = GENERIC.add("driver", STRING, null);
    /**
     * Header lines added at the end of the header section as the message is written, each item expanded
     * then ({@code dev.petrel.transport.HeadersAdd}); repeated settings add items.
     */
    public static final Option<String> HEADERS_ADD = GENERIC.add("headers_add", OptionTypes.EXPANDABLE_LINES, null);
    /**
     * Header names (a trailing {@code *} for a prefix) whose fields are left out as the message is written,
     * before {@code headers_add}'s are added ({@code dev.petrel.transport.HeadersRemove}).
     */
    public static final Option<String> HEADERS_REMOVE = GENERIC.add("headers_remove", OptionTypes.EXPANDABLE_ITEMS,
            null);

    private TransportOptions() {}

    /** appendfile, in maildir format only so far. */
    public static final class Appendfile {
        public static final OptionTable TABLE = new OptionTable("appendfile", GENERIC);

        /** Expanded per recipient; a relative path is rooted where the daemon runs. */
        public static final Option<String> DIRECTORY = TABLE.add("directory", EXPANDABLE, null);
        public static final Option<Boolean> MAILDIR_FORMAT = TABLE.add("maildir_format", BOOL, "false");
        public static final Option<Boolean> DELIVERY_DATE_ADD = TABLE.add("delivery_date_add", BOOL, "false");
        public static final Option<Boolean> ENVELOPE_TO_ADD = TABLE.add("envelope_to_add", BOOL, "false");
        public static final Option<Boolean> RETURN_PATH_ADD = TABLE.add("return_path_add", BOOL, "false");
        /** mbox delivery: not there yet. */
        public static final Option<String> FILE = TABLE.add(Option.of("file", EXPANDABLE, null).notImplemented());
        /** Maildirs are always created as needed; turning that off is not there yet. */
        public static final Option<Boolean> CREATE_DIRECTORY = TABLE.add(
                Option.of("create_directory", BOOL, "true").notImplemented());
        /** Delivered files are always 0600, the default; choosing another mode is not there yet. */
        public static final Option<Integer> MODE = TABLE.add(Option.of("mode", OCTAL, "0600").notImplemented());

        private Appendfile() {}
    }

    /** smtp: the client side of SMTP ({@code dev.petrel.transport.smtp.SmtpTransport}). */
    public static final class Smtp {
        public static final OptionTable TABLE = new OptionTable("smtp", GENERIC);

        public static final Option<String> PORT = TABLE.add("port", OptionTypes.PORT, "25");
        public static final Option<String> HOSTS = TABLE.add("hosts", EXPANDABLE, null);
        public static final Option<String> HELO_DATA = TABLE.add("helo_data", EXPANDABLE, "$primary_hostname");
        /** Local addresses to connect from: the first of the host's family ({@code OutgoingInterface}). */
        public static final Option<String> INTERFACE = TABLE.add("interface", EXPANDABLE, null);
        public static final Option<String> TLS_SNI = TABLE.add("tls_sni", EXPANDABLE, null);
        /** The client certificate presented when a server asks ({@code dev.petrel.tls.ClientCredentials}). */
        public static final Option<String> TLS_CERTIFICATE = TABLE.add("tls_certificate", EXPANDABLE, null);
        public static final Option<String> TLS_PRIVATEKEY = TABLE.add("tls_privatekey", EXPANDABLE, null);
        public static final Option<HostList> HOSTS_PIPE_CONNECT = TABLE.add("hosts_pipe_connect", HOST_LIST, null);
        public static final Option<HostList> HOSTS_TRY_CHUNKING = TABLE.add("hosts_try_chunking", HOST_LIST, "*");
        public static final Option<HostList> HOSTS_AVOID_PIPELINING = TABLE.add("hosts_avoid_pipelining", HOST_LIST, null);
        public static final Option<HostList> TLS_RESUMPTION_HOSTS = TABLE.add("tls_resumption_hosts", HOST_LIST, null);
        public static final Option<HostList> HOSTS_REQUIRE_TLS = TABLE.add("hosts_require_tls", HOST_LIST, null);
        public static final Option<HostList> HOSTS_AVOID_TLS = TABLE.add("hosts_avoid_tls", HOST_LIST, null);
        public static final Option<HostList> TLS_VERIFY_HOSTS = TABLE.add("tls_verify_hosts", HOST_LIST, null);
        public static final Option<HostList> TLS_TRY_VERIFY_HOSTS = TABLE.add("tls_try_verify_hosts", HOST_LIST, "*");
        /**
         * TCP Fast Open tried (epoll). With {@code protocol = smtps} the ClientHello rides in the SYN and offers
         * classic key shares only, to fit it; hosts outside it keep the hybrid post-quantum share (docs/behaviour.md).
         */
        public static final Option<HostList> HOSTS_TRY_FASTOPEN = TABLE.add("hosts_try_fastopen", HOST_LIST, "*");
        public static final Option<Duration> CONNECT_TIMEOUT = TABLE.add("connect_timeout", TIME, "5m");
        public static final Option<Duration> COMMAND_TIMEOUT = TABLE.add("command_timeout", TIME, "5m");
        public static final Option<Duration> DATA_TIMEOUT = TABLE.add("data_timeout", TIME, "5m");
        /** Messages one connection carries before QUIT (Exim's default); 0 for no limit, 1 for no reuse. */
        public static final Option<Integer> CONNECTION_MAX_MESSAGES = TABLE.add(
                Option.of("connection_max_messages", INT, "500").require(n -> n >= 0, "must not be negative"));
        /** {@code smtps}: TLS from the first octet, as on port 465; the handshake is begun before the connect. */
        public static final Option<String> PROTOCOL = TABLE.add("protocol",
                OptionTypes.choice("smtp", "smtps"), "smtp");
        /** {@code hosts} replaces the router's hosts instead of serving only when the router gave none. */
        public static final Option<Boolean> HOSTS_OVERRIDE = TABLE.add("hosts_override", BOOL, "false");
        /**
         * When every host of an address is past its final cutoff and none is due: true fails the address at
         * once; false tries the hosts not tried since the message arrived.
         */
        public static final Option<Boolean> DELAY_AFTER_CUTOFF = TABLE.add("delay_after_cutoff", BOOL, "true");
        /** {@code system}: the JDK's trust store; otherwise a PEM file of trusted certificates. */
        public static final Option<String> TLS_VERIFY_CERTIFICATES = TABLE.add("tls_verify_certificates", EXPANDABLE, "system");

        private Smtp() {}
    }
}
