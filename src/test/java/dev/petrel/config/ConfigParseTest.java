package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigParseTest {
    private static Config parse(String... lines) throws ConfigException {
        return Config.parse(String.join("\n", lines) + "\n", "test.conf");
    }

    private static InetAddress ip(String literal) {
        return IpAddresses.parse(literal);
    }

    @Test
    void emptyFileGivesDefaults() throws Exception {
        MainConfig m = parse("").main();
        assertThat(m.primaryHostname()).isNotBlank();
        assertThat(m.qualifyDomain()).isEqualTo(m.primaryHostname());
        assertThat(m.daemonSmtpPorts()).containsExactly(25);
        assertThat(m.localInterfaces()).containsExactly(new ListenAddress("127.0.0.1", 25));
        assertThat(m.tlsOnConnectPorts()).isEmpty();
        assertThat(m.spoolDirectory()).isEqualTo(Path.of("var/spool"));
        assertThat(m.logFilePath()).isEqualTo("var/log/%slog");
        assertThat(m.logSelector()).isEqualTo(LogSelectors.DEFAULT_ON);
        assertThat(m.pipeliningConnectAdvertiseHosts().matches(ip("192.0.2.1"))).isTrue();
        assertThat(m.pipeliningAdvertiseHosts().text()).isEqualTo("*");
        assertThat(m.chunkingAdvertiseHosts().text()).isEqualTo("*");
        assertThat(m.tlsAdvertiseHosts().text()).isEqualTo("*");
        assertThat(m.tlsResumptionHosts().matches(ip("127.0.0.1"))).isFalse();
        assertThat(m.tlsCertificate()).isNull();
        assertThat(m.tlsPrivatekey()).isNull();
        assertThat(m.tlsTicketKeyRotate()).isEqualTo(Duration.ofHours(1));
        assertThat(m.tlsTicketLifetime()).isEqualTo(Duration.ofHours(2));
        assertThat(m.messageSizeLimit()).isEqualTo(50L * 1024 * 1024);
        assertThat(m.recipientsMax()).isEqualTo(50000);
        assertThat(m.smtpAcceptMax()).isEqualTo(100);
        assertThat(m.smtpAcceptMaxPerHost()).isZero();
        assertThat(m.smtpAcceptReserve()).isZero();
        assertThat(m.smtpReserveHosts().matches(ip("127.0.0.1"))).isFalse();
        assertThat(m.smtpReceiveTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(m.smtpReceiveMinRate()).isEqualTo(500);
        assertThat(m.smtpEnforceSync()).isTrue();
        assertThat(m.localDomains().matches(m.primaryHostname())).isFalse();
        assertThat(m.relayToDomains().matches("x.org")).isFalse();
        assertThat(m.relayFromHosts().matches(ip("127.0.0.1"))).isFalse();
        assertThat(m.retryDataExpire()).isEqualTo(Duration.ofDays(7));
        assertThat(m.smtpMaxUnknownCommands()).isEqualTo(3);
        assertThat(m.smtpMaxSynprotErrors()).isEqualTo(3);
    }

    @Test
    void mainOptions() throws Exception {
        MainConfig m = parse(
                "primary_hostname = mx.example.org",
                "qualify_domain = example.org",
                "daemon_smtp_ports = 25 : 587",
                "tls_on_connect_ports = 465",
                "local_interfaces = <; 127.0.0.1 ; [::1]:2525",
                "spool_directory = /var/spool/petrel",
                "log_file_path = /var/log/petrel/%s",
                "tls_certificate = /etc/cert.pem",
                "tls_privatekey = \"/etc/key with space.pem\"",
                "tls_ticket_key_rotate = 30m",
                "tls_ticket_lifetime = 1h30m",
                "message_size_limit = 10M",
                "recipients_max = 100",
                "smtp_accept_max = 0x20",
                "smtp_accept_max_per_host = 4",
                "smtp_accept_reserve = 2",
                "smtp_reserve_hosts = 10.0.0.0/8",
                "smtp_receive_timeout = 90",
                "smtp_receive_min_rate = 1K",
                "retry_data_expire = 1w",
                "smtp_max_unknown_commands = 0",
                "smtp_max_synprot_errors = 5",
                "tls_resumption_hosts = 127.0.0.1",
                "pipelining_connect_advertise_hosts = !127.0.0.2 : 127.0.0.0/8").main();
        assertThat(m.primaryHostname()).isEqualTo("mx.example.org");
        assertThat(m.qualifyDomain()).isEqualTo("example.org");
        assertThat(m.daemonSmtpPorts()).containsExactly(25, 587);
        assertThat(m.tlsOnConnectPorts()).containsExactly(465);
        assertThat(m.localInterfaces()).containsExactly(
                new ListenAddress("127.0.0.1", 25), new ListenAddress("127.0.0.1", 587), new ListenAddress("::1", 2525));
        assertThat(m.spoolDirectory()).isEqualTo(Path.of("/var/spool/petrel"));
        assertThat(m.logFilePath()).isEqualTo("/var/log/petrel/%s");
        assertThat(m.tlsCertificate()).isEqualTo("/etc/cert.pem");
        assertThat(m.tlsPrivatekey()).isEqualTo("/etc/key with space.pem");
        assertThat(m.tlsTicketKeyRotate()).isEqualTo(Duration.ofMinutes(30));
        assertThat(m.tlsTicketLifetime()).isEqualTo(Duration.ofMinutes(90));
        assertThat(m.messageSizeLimit()).isEqualTo(10L * 1024 * 1024);
        assertThat(m.recipientsMax()).isEqualTo(100);
        assertThat(m.smtpAcceptMax()).isEqualTo(32);
        assertThat(m.smtpAcceptMaxPerHost()).isEqualTo(4);
        assertThat(m.smtpAcceptReserve()).isEqualTo(2);
        assertThat(m.smtpReserveHosts().matches(ip("10.1.2.3"))).isTrue();
        assertThat(m.smtpReceiveTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(m.smtpReceiveMinRate()).isEqualTo(1024);
        assertThat(m.retryDataExpire()).isEqualTo(Duration.ofDays(7));
        assertThat(m.smtpMaxUnknownCommands()).isZero();
        assertThat(m.smtpMaxSynprotErrors()).isEqualTo(5);
        assertThat(m.tlsResumptionHosts().matches(ip("127.0.0.1"))).isTrue();
        assertThat(m.pipeliningConnectAdvertiseHosts().matches(ip("127.0.0.2"))).isFalse();
        assertThat(m.pipeliningConnectAdvertiseHosts().matches(ip("127.0.0.3"))).isTrue();
    }

    @Test
    void booleanSpellings() throws Exception {
        assertThat(parse("smtp_enforce_sync").main().smtpEnforceSync()).isTrue();
        assertThat(parse("no_smtp_enforce_sync").main().smtpEnforceSync()).isFalse();
        assertThat(parse("not_smtp_enforce_sync").main().smtpEnforceSync()).isFalse();
        assertThat(parse("smtp_enforce_sync = false").main().smtpEnforceSync()).isFalse();
        assertThat(parse("smtp_enforce_sync = no").main().smtpEnforceSync()).isFalse();
        assertThat(parse("smtp_enforce_sync = yes").main().smtpEnforceSync()).isTrue();
        assertThat(parse("no_smtp_enforce_sync", "smtp_enforce_sync = true").main().smtpEnforceSync()).isTrue();
    }

    @Test
    void logSelector() throws Exception {
        MainConfig m = parse("log_selector = +pipelining +tls_resumption -retry_defer \\",
                "    +outgoing_port").main();
        assertThat(m.logSelector()).contains("pipelining", "tls_resumption", "outgoing_port", "tls_cipher")
                .doesNotContain("retry_defer", "subject");
        assertThat(m.logs("pipelining")).isTrue();
        assertThat(parse("log_selector = +all").main().logSelector()).containsAll(LogSelectors.KNOWN).doesNotContain("all");
        assertThat(parse("log_selector = +all -all +subject").main().logSelector()).containsExactly("subject");
    }

    @Test
    void namedListsAndAtUseTheFinalPrimaryHostname() throws Exception {
        MainConfig m = parse(
                "domainlist local_domains = @ : localhost : *.example.org",
                "domainlist relay_to_domains = ! +local_domains : *.example.net",
                "hostlist trusted = 192.168.0.0/16",
                "hostlist relay_from_hosts = <; +trusted ; ::1",
                "primary_hostname = mx.test").main();
        assertThat(m.localDomains().matches("MX.test")).isTrue();
        assertThat(m.localDomains().matches("localhost")).isTrue();
        assertThat(m.localDomains().matches("a.example.org")).isTrue();
        assertThat(m.localDomains().text()).isEqualTo("@ : localhost : *.example.org");
        assertThat(m.relayToDomains().matches("a.example.net")).isTrue();
        assertThat(m.relayToDomains().matches("mx.test")).isFalse();
        assertThat(m.relayFromHosts().matches(ip("192.168.4.4"))).isTrue();
        assertThat(m.relayFromHosts().matches(ip("::1"))).isTrue();
        assertThat(m.relayFromHosts().matches(ip("10.0.0.1"))).isFalse();
    }

    @Test
    void emptyNamedListsMatchNothing() throws Exception {
        MainConfig m = parse("domainlist relay_to_domains =", "hostlist relay_from_hosts =").main();
        assertThat(m.relayToDomains().matches("x.org")).isFalse();
        assertThat(m.relayFromHosts().matches(ip("127.0.0.1"))).isFalse();
    }

    @Test
    void commentsContinuationsAndWhitespace() throws Exception {
        MainConfig m = parse(
                "# a comment",
                "   # an indented comment",
                "",
                "  primary_hostname=   host.test   ",
                "hostlist relay_from_hosts = 10.0.0.1 : \\",
                "   # a comment inside a continuation",
                "       10.0.0.2 :\\   ",
                "10.0.0.3",
                "qualify_domain = a#b").main();
        assertThat(m.primaryHostname()).isEqualTo("host.test");
        assertThat(m.relayFromHosts().text()).isEqualTo("10.0.0.1 : 10.0.0.2 :10.0.0.3");
        assertThat(m.relayFromHosts().matches(ip("10.0.0.3"))).isTrue();
        assertThat(m.qualifyDomain()).isEqualTo("a#b");
    }

    @Test
    void crlfLineEndings() throws Exception {
        Config c = Config.parse("primary_hostname = a.test\r\nrecipients_max = 7\r\n", "crlf.conf");
        assertThat(c.main().primaryHostname()).isEqualTo("a.test");
        assertThat(c.main().recipientsMax()).isEqualTo(7);
    }

    @Test
    void macros() throws Exception {
        MainConfig m = parse(
                "HOST = mx.example.org",
                "NETS = 10.0.0.0/8 : 192.168.0.0/16",
                "LIMIT = 20M",
                "primary_hostname = HOST",
                "hostlist relay_from_hosts = NETS : 172.16.0.1",
                "message_size_limit = LIMIT",
                "qualify_domain = HOSTNAME_NOT_A_MACRO",
                "LIMIT == 30M",
                "recipients_max = 50").main();
        assertThat(m.primaryHostname()).isEqualTo("mx.example.org");
        assertThat(m.relayFromHosts().matches(ip("192.168.1.1"))).isTrue();
        assertThat(m.messageSizeLimit()).isEqualTo(20L * 1024 * 1024);
        // Whole words only: HOST inside HOSTNAME_NOT_A_MACRO is left alone.
        assertThat(m.qualifyDomain()).isEqualTo("HOSTNAME_NOT_A_MACRO");
    }

    @Test
    void macroRedefinitionAndAccumulation() throws Exception {
        MainConfig m = parse(
                "NETS = 10.0.0.1",
                "NETS == NETS : 10.0.0.2",
                "hostlist relay_from_hosts = NETS").main();
        assertThat(m.relayFromHosts().text()).isEqualTo("10.0.0.1 : 10.0.0.2");
    }

    @Test
    void macroUsedInDriverSection() throws Exception {
        Config c = parse(
                "MAILDIR = var/mail",
                "begin transports",
                "t:",
                "  driver = appendfile",
                "  directory = MAILDIR/$local_part");
        assertThat(c.transports().get("t").get(TransportOptions.Appendfile.DIRECTORY)).isEqualTo("var/mail/$local_part");
    }

    @Test
    void builtinResumeDecodeMacro() throws Exception {
        Config c = parse("begin transports", "t:", "  driver = smtp", "  helo_data = ${listextract{1}{_RESUME_DECODE}}");
        assertThat(c.transports().get("t").get(TransportOptions.Smtp.HELO_DATA))
                .startsWith("${listextract{1}{not requested or offered: 0x02 :client requested")
                .endsWith(":session resumed, also new ticket}}");
        assertThat(EximList.split(c.transports().get("t").get(TransportOptions.Smtp.HELO_DATA)
                .replace("${listextract{1}{", "").replace("}}", ""))).hasSize(31);
    }

    @Test
    void headersAddSettingsAddUpWhereOtherOptionsReplace() throws Exception {
        Config c = parse("begin transports", "t:", "  driver = smtp", "  headers_add = X-A: $host",
                "  helo_data = one", "  headers_add = X-B: 2", "  helo_data = two", "m:", "  driver = appendfile",
                "  directory = /m/$local_part", "  headers_add = X-C: 3");
        assertThat(c.transports().get("t").get(TransportOptions.HEADERS_ADD)).isEqualTo("X-A: $host\nX-B: 2");
        assertThat(c.transports().get("t").get(TransportOptions.Smtp.HELO_DATA)).isEqualTo("two");
        assertThat(c.transports().get("m").get(TransportOptions.HEADERS_ADD)).isEqualTo("X-C: 3");
        Config r = parse("begin transports", "t:", "  driver = smtp", "  headers_remove = X-A", "  headers_remove = X-B*");
        assertThat(r.transports().get("t").get(TransportOptions.HEADERS_REMOVE)).isEqualTo("X-A:X-B*");
    }

    @Test
    void routersAndTransports() throws Exception {
        Config c = parse(
                "domainlist local_domains = example.org",
                "hostlist pipe_hosts = 192.0.2.0/24",
                "begin routers",
                "local:",
                "  driver = accept",
                "  domains = +local_domains",
                "  transport = local_delivery",
                "smarthost:",
                "  driver = manualroute",
                "  domains = ! +local_domains",
                "  route_list = * 127.0.0.1::2526 byname",
                "  self = send",
                "  no_more",
                "  transport = remote_smtp",
                "dns: driver = dnslookup",
                "  transport = remote_smtp",
                "begin transports",
                "remote_smtp:",
                "  driver = smtp",
                "  port = 2526",
                "  hosts_pipe_connect = +pipe_hosts : 127.0.0.1",
                "  tls_resumption_hosts = *",
                "  connect_timeout = 30s",
                "  command_timeout = 300",
                "  helo_data = $primary_hostname",
                "local_delivery:",
                "  driver = appendfile",
                "  directory = var/mail/${local_part}",
                "  maildir_format",
                "  envelope_to_add = yes");
        assertThat(c.routers()).extracting(RouterConfig::name).containsExactly("local", "smarthost", "dns");
        RouterConfig local = c.routers().get(0);
        assertThat(local.driver()).isEqualTo("accept");
        assertThat(local.domains().matches("EXAMPLE.org")).isTrue();
        assertThat(local.domains().matches("other.org")).isFalse();
        assertThat(local.transport()).isEqualTo("local_delivery");
        assertThat(local.get(RouterOptions.MORE)).isTrue();
        assertThat(local.get(RouterOptions.SELF)).isEqualTo("freeze");

        RouterConfig smarthost = c.routers().get(1);
        assertThat(smarthost.driver()).isEqualTo("manualroute");
        assertThat(smarthost.domains().matches("other.org")).isTrue();
        assertThat(smarthost.domains().matches("example.org")).isFalse();
        assertThat(smarthost.get(RouterOptions.Manualroute.ROUTE_LIST).text()).isEqualTo("* 127.0.0.1::2526 byname");
        assertThat(smarthost.routeList()).extracting(RouteList.Route::hosts).containsExactly("127.0.0.1::2526");
        assertThat(smarthost.get(RouterOptions.Manualroute.ROUTE_DATA)).isNull();
        assertThat(smarthost.get(RouterOptions.SELF)).isEqualTo("send");
        assertThat(smarthost.get(RouterOptions.MORE)).isFalse();

        RouterConfig dns = c.routers().get(2);
        assertThat(dns.driver()).isEqualTo("dnslookup");
        assertThat(dns.domains().matches("anything.test")).isTrue();
        assertThat(c.transportFor(dns)).contains(c.transports().get("remote_smtp"));
        assertThatThrownBy(() -> dns.get(RouterOptions.Manualroute.ROUTE_LIST))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not in the dnslookup table");

        assertThat(c.transports().keySet()).containsExactly("remote_smtp", "local_delivery");
        TransportConfig smtp = c.transports().get("remote_smtp");
        assertThat(smtp.driver()).isEqualTo("smtp");
        assertThat(smtp.get(TransportOptions.Smtp.PORT)).isEqualTo("2526");
        HostList pipeConnect = smtp.get(TransportOptions.Smtp.HOSTS_PIPE_CONNECT);
        assertThat(pipeConnect.matches(ip("192.0.2.9"))).isTrue();
        assertThat(pipeConnect.matches(ip("127.0.0.1"))).isTrue();
        assertThat(pipeConnect.matches(ip("10.0.0.1"))).isFalse();
        assertThat(smtp.get(TransportOptions.Smtp.HOSTS_AVOID_TLS)).isSameAs(HostList.none());
        assertThat(smtp.get(TransportOptions.Smtp.HOSTS_TRY_CHUNKING).text()).isEqualTo("*");
        assertThat(smtp.get(TransportOptions.Smtp.CONNECT_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
        assertThat(smtp.get(TransportOptions.Smtp.COMMAND_TIMEOUT)).isEqualTo(Duration.ofMinutes(5));
        assertThat(smtp.get(TransportOptions.Smtp.DATA_TIMEOUT)).isEqualTo(Duration.ofMinutes(5));
        assertThat(smtp.get(TransportOptions.Smtp.HELO_DATA)).isEqualTo("$primary_hostname");
        assertThat(smtp.options().isSet(TransportOptions.Smtp.HELO_DATA)).isTrue();
        assertThat(smtp.options().isSet(TransportOptions.Smtp.DATA_TIMEOUT)).isFalse();

        TransportConfig local2 = c.transports().get("local_delivery");
        assertThat(local2.driver()).isEqualTo("appendfile");
        assertThat(local2.get(TransportOptions.Appendfile.DIRECTORY)).isEqualTo("var/mail/${local_part}");
        assertThat(local2.get(TransportOptions.Appendfile.MAILDIR_FORMAT)).isTrue();
        assertThat(local2.get(TransportOptions.Appendfile.ENVELOPE_TO_ADD)).isTrue();
        assertThat(local2.get(TransportOptions.Appendfile.DELIVERY_DATE_ADD)).isFalse();
        assertThat(local2.get(TransportOptions.DRIVER)).isEqualTo("appendfile");
    }

    @Test
    void routeListAndDnsServers() throws Exception {
        Config c = parse(
                "dns_servers = 127.0.0.1.5353 : 127.0.0.2",
                "domainlist partners = a.example : b.example",
                "begin routers",
                "r:",
                "  driver = manualroute",
                "  route_list = +partners \"<;; [::1]:2526 ;; mx.a.example\" randomize ; \\",
                "      *.c.example  \"mx1.c.example::2527 : 127.0.0.1 : [127.0.0.2]::26\" byname ; \\",
                "      *  $domain no_randomize",
                "  hosts_randomize",
                "  host_find_failed = ignore");
        assertThat(c.main().dnsServers()).extracting(ListenAddress::toString)
                .containsExactly("127.0.0.1.5353", "127.0.0.2.53");
        assertThat(c.describe("dns_servers")).contains("dns_servers = 127.0.0.1.5353 : 127.0.0.2.53");
        assertThat(parse().main().dnsServers()).isEmpty();

        RouterConfig r = c.routers().get(0);
        assertThat(r.get(RouterOptions.Manualroute.HOSTS_RANDOMIZE)).isTrue();
        assertThat(r.get(RouterOptions.Manualroute.HOST_FIND_FAILED)).isEqualTo("ignore");
        assertThat(r.get(RouterOptions.Manualroute.ROUTE_DATA)).isNull();
        assertThat(r.options().describe("route_list")).get(org.assertj.core.api.InstanceOfAssertFactories.STRING)
                .startsWith("route_list = +partners \"<;; [::1]:2526 ;; mx.a.example\" randomize ;").endsWith("$domain no_randomize");
        List<RouteList.Route> routes = r.routeList();
        assertThat(routes).hasSize(3);
        assertThat(routes.get(0).domains().matches("B.example")).isTrue();
        assertThat(routes.get(0).domains().matches("x.c.example")).isFalse();
        assertThat(routes.get(0).randomize()).isTrue();
        assertThat(RouteList.hosts(routes.get(0).hosts())).containsExactly(
                new RouteList.HostSpec("::1", InetAddress.getByName("::1"), 2526),
                new RouteList.HostSpec("mx.a.example", null, -1));
        assertThat(routes.get(1).domains().matches("x.c.example")).isTrue();
        assertThat(routes.get(1).byname()).isTrue();
        assertThat(routes.get(1).randomize()).isNull();
        assertThat(RouteList.hosts(routes.get(1).hosts())).containsExactly(
                new RouteList.HostSpec("mx1.c.example", null, 2527),
                new RouteList.HostSpec("127.0.0.1", InetAddress.getByName("127.0.0.1"), -1),
                new RouteList.HostSpec("127.0.0.2", InetAddress.getByName("127.0.0.2"), 26));
        assertThat(routes.get(2).hosts()).isEqualTo("$domain");
        assertThat(routes.get(2).randomize()).isFalse();

        assertThat(RouteList.parseData("  ")).isNull();
        RouteList.Route data = RouteList.parseData("relay.example::587 randomize");
        assertThat(data.domains()).isNull();
        assertThat(RouteList.hosts(data.hosts())).containsExactly(new RouteList.HostSpec("relay.example", null, 587));
    }

    @Test
    void handBuiltTransportIsCheckedLikeAFile() {
        TransportConfig t = new TransportConfig("t", "smtp", java.util.Map.of("hosts_pipe_connect", "127.0.0.0/8"));
        assertThat(t.get(TransportOptions.Smtp.HOSTS_PIPE_CONNECT).matches(ip("127.0.0.9"))).isTrue();
        assertThat(t.get(TransportOptions.Smtp.TLS_RESUMPTION_HOSTS).matches(ip("127.0.0.9"))).isFalse();
        assertThatThrownBy(() -> new TransportConfig("t", "smtp", java.util.Map.of("port", "0")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("transport \"t\": option \"port\": port 0 is out of range (1 to 65535)");
        assertThatThrownBy(() -> new TransportConfig("t", "appendfile", java.util.Map.of("file", "/var/mail/x")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not implemented yet");
    }

    @Test
    void ignoredSectionsAreSkipped() throws Exception {
        Config c = parse(
                "begin acl",
                "acl_check_rcpt:",
                "  accept hosts = :",
                "  deny message = Restricted characters in address",
                "       local_parts = ^[.] : ^.*[@%!/|]",
                "begin retry",
                "*   *   F,2h,15m; G,16h,1h,1.5; F,4d,6h",
                "begin rewrite",
                "*@+local_domains ${lookup{$1}lsearch{/etc/email-addresses}{$value}fail} Ffrs",
                "begin authenticators",
                "PLAIN:",
                "  driver = plaintext",
                "begin routers",
                "r:",
                "  driver = accept");
        assertThat(c.routers()).hasSize(1);
        assertThat(c.routers().get(0).transport()).isNull();
    }

    @Test
    void transportNameWithExpansionIsNotChecked() throws Exception {
        Config c = parse("begin routers", "r:", "  driver = accept", "  transport = ${if eq{1}{1}{a}{b}}");
        assertThat(c.routers().get(0).transport()).startsWith("${if");
    }

    @Test
    void describePrintsEveryOptionAlphabetically() throws Exception {
        Config c = parse("primary_hostname = h.test", "message_size_limit = 1024", "no_smtp_enforce_sync",
                "local_interfaces = <; 127.0.0.1.25 ; ::1.26", "smtp_receive_timeout = 90m");
        List<String> names = c.describe().lines().map(l -> l.split(" ", 2)[0]).toList();
        assertThat(names).isSorted().doesNotHaveDuplicates()
                .contains("primary_hostname", "pipelining_connect_advertise_hosts", "tls_resumption_hosts",
                        "smtp_max_synprot_errors", "smtp_max_unknown_commands", "qualify_domain");
        assertThat(names).hasSize(MainOptions.TABLE.options().size());
        assertThat(c.describe("message_size_limit")).contains("message_size_limit = 1K");
        assertThat(c.describe("smtp_enforce_sync")).contains("smtp_enforce_sync = false");
        assertThat(c.describe("smtp_receive_timeout")).contains("smtp_receive_timeout = 1h30m");
        assertThat(c.describe("tls_certificate")).contains("tls_certificate =");
        assertThat(c.describe("tls_resumption_hosts")).contains("tls_resumption_hosts =");
        assertThat(c.describe("local_interfaces")).contains("local_interfaces = <; 127.0.0.1.25 ; [::1]:26");
        assertThat(c.describe("retry_data_expire")).contains("retry_data_expire = 1w");
        assertThat(c.describe("qualify_domain")).contains("qualify_domain = h.test");
        assertThat(c.describe("no_such_option")).isEmpty();
        assertThat(c.describe("smtp_accept_max_per_host")).contains("smtp_accept_max_per_host =");
        Config perHost = parse("smtp_accept_max_per_host =", "smtp_accept_max = 0", "smtp_receive_min_rate = 1K");
        assertThat(perHost.main().smtpAcceptMaxPerHost()).isZero();
        assertThat(perHost.describe("smtp_receive_min_rate")).contains("smtp_receive_min_rate = 1K");
        assertThat(c.describe().lines()).contains("primary_hostname = h.test");
        assertThat(c.describe()).endsWith("\n");
    }

    @Test
    void loadReadsAFileAndNamesItInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("petrel.conf");
        Files.writeString(file, "primary_hostname = f.test\n");
        Config c = Config.load(file);
        assertThat(c.source()).isEqualTo(file.toString());
        assertThat(c.main().primaryHostname()).isEqualTo("f.test");

        Files.writeString(file, "# x\nprimary_hostname = f.test\nfoo = 1\n");
        assertThatThrownBy(() -> Config.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage(file + " line 3: main option \"foo\" unknown");
    }

    @Test
    void exceptionCarriesItsParts() {
        ConfigException e = new ConfigException("petrel.conf", 12, "main option \"foo\" unknown");
        assertThat(e).hasMessage("petrel.conf line 12: main option \"foo\" unknown");
        assertThat(e.file()).isEqualTo("petrel.conf");
        assertThat(e.line()).isEqualTo(12);
        assertThat(e.reason()).isEqualTo("main option \"foo\" unknown");
    }
}
