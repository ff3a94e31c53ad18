package dev.petrel.config;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every rejected configuration names the file, the line and the reason. */
class ConfigErrorTest {
    /**
     * @param text the configuration, with {@code |} for newlines
     * @param line the line the error must point at
     * @param reason text the reason must contain
     */
    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '~', textBlock = """
            # comment|foo = 1                                         ~ 2 ~ main option "foo" unknown
            no_foo                                                    ~ 1 ~ main option "no_foo" unknown
            recipients_max = many                                     ~ 1 ~ main option "recipients_max": "many" is not a number
            recipients_max = 3G                                       ~ 1 ~ out of range
            message_size_limit = 10Q                                  ~ 1 ~ main option "message_size_limit": "10Q" is not a number
            smtp_receive_timeout = 5 minutes                          ~ 1 ~ main option "smtp_receive_timeout": "5 minutes" is not a valid time
            retry_data_expire = 1h30                                  ~ 1 ~ is not a valid time
            tls_ticket_lifetime = 0s                                  ~ 1 ~ must be longer than 0s
            smtp_accept_max = 0|smtp_accept_max_per_host = 5          ~ 2 ~ main option "smtp_accept_max_per_host" is set, so smtp_accept_max must be set too
            smtp_accept_max_per_host = 5|smtp_accept_max = 0          ~ 1 ~ smtp_accept_max must be set if smtp_accept_max_per_host is set
            smtp_accept_max_per_host = few                            ~ 1 ~ main option "smtp_accept_max_per_host": "few" is not a number
            smtp_receive_min_rate = fast                              ~ 1 ~ main option "smtp_receive_min_rate": "fast" is not a number
            smtp_enforce_sync = perhaps                               ~ 1 ~ "perhaps" is not a boolean
            no_smtp_enforce_sync = true                               ~ 1 ~ cannot be given a value
            recipients_max                                            ~ 1 ~ main option "recipients_max" needs a value
            tls_advertise_hosts = 300.1.1.1                           ~ 1 ~ main option "tls_advertise_hosts": "300.1.1.1" is not a valid IPv4 address
            x = 1||pipelining_advertise_hosts = 10.0.0.0/40           ~ 1 ~ main option "x" unknown
            ||pipelining_advertise_hosts = 10.0.0.0/40                ~ 3 ~ invalid mask length
            chunking_advertise_hosts = *.example.com                  ~ 1 ~ reverse DNS
            tls_resumption_hosts = +nosuch                            ~ 1 ~ unknown host list "+nosuch"
            hostlist relay_from_hosts = 1.2.3.4 : 1.2.3.999           ~ 1 ~ hostlist relay_from_hosts: "1.2.3.999" is not a valid IPv4 address
            hostlist a = 1.2.3.4|hostlist a = 1.2.3.5                 ~ 2 ~ hostlist "a" is already defined (line 1)
            domainlist local_domains = +later|domainlist later = x    ~ 1 ~ unknown domain list "+later"
            domainlist d = lsearch;/etc/domains                       ~ 1 ~ lookups in domain lists are not supported
            domainlist d = ^(bad                                      ~ 1 ~ bad regular expression
            addresslist a = x@y                                       ~ 1 ~ addresslist is not supported
            daemon_smtp_ports = 25 : 70000                            ~ 1 ~ main option "daemon_smtp_ports": port 70000 is out of range
            daemon_smtp_ports = 25 : gopher                           ~ 1 ~ "gopher" is not a port number
            daemon_smtp_ports =                                       ~ 1 ~ "daemon_smtp_ports" is empty
            local_interfaces = mail.example.com                       ~ 1 ~ host names are not allowed
            local_interfaces = 127.0.0.1.99999                        ~ 1 ~ out of range
            local_interfaces =                                        ~ 1 ~ would listen nowhere
            log_selector = +pipelining +bogus                         ~ 1 ~ main option "log_selector": unknown log selector "bogus"
            log_selector = pipelining                                 ~ 1 ~ must start with + or -
            spool_directory =                                         ~ 1 ~ main option "spool_directory": must not be empty
            primary_hostname = "unterminated                          ~ 1 ~ missing closing quote
            primary_hostname = "a" b                                  ~ 1 ~ unexpected text after closing quote
            this is not an option                                     ~ 1 ~ malformed main line
            .include /etc/other.conf                                  ~ 1 ~ ".include" is not supported
            .ifdef FOO                                                ~ 1 ~ conditional directive ".ifdef" is not supported
            .weird                                                    ~ 1 ~ unknown directive ".weird"
            FOO = 1|FOO = 2                                           ~ 2 ~ macro "FOO" is already defined
            FOO == 2                                                  ~ 1 ~ macro "FOO" is not defined yet
            begin nonsense                                            ~ 1 ~ unknown configuration section "begin nonsense"
            begin routers|begin routers                               ~ 2 ~ "begin routers" appears twice
            begin routers|  driver = accept                           ~ 2 ~ option setting before the first router name
            begin routers|r:|  transport = t                          ~ 2 ~ router "r": no driver defined
            begin routers|r:|  driver = redirect                      ~ 3 ~ router "r": unknown driver "redirect"
            begin routers|r:|  driver                                 ~ 3 ~ router "r": no driver defined
            begin routers|r:|  driver = accept|  bogus = 1            ~ 4 ~ router "r": option "bogus" unknown for the accept driver
            begin routers|r:|  driver = accept|  route_list = * x     ~ 4 ~ option "route_list" unknown for the accept driver
            begin routers|r:|  driver = accept|  more = sometimes     ~ 4 ~ router "r": option "more": "sometimes" is not a boolean
            begin routers|r:|  driver = accept|  no_self              ~ 4 ~ option "no_self" unknown
            begin routers|r:|  driver = accept|  self                 ~ 4 ~ option "self" needs a value
            begin routers|r:|  driver = accept|  no_more = yes        ~ 4 ~ cannot be given a value
            begin routers|r:|  driver = accept|  domains = +nope      ~ 4 ~ router "r": option "domains": unknown domain list "+nope"
            begin routers|r:|  driver = accept|r:|  driver = accept   ~ 4 ~ router "r" is already defined (line 2)
            begin routers|r:|  driver = manualroute                   ~ 2 ~ manualroute needs route_list or route_data
            begin routers|r:|  driver = manualroute|  route_list = *   ~ 4 ~ option "route_list": route "*" has no hosts
            begin routers|r:|  driver = manualroute|  route_list = * a::99999 ~ 4 ~ port 99999 is out of range
            begin routers|r:|  driver = manualroute|  route_list = * a b/c ~ 4 ~ unknown option "b/c" in route "* a b/c"
            begin routers|r:|  driver = manualroute|  route_list = * bad!host ~ 4 ~ "bad!host" is not a host name or IP address
            begin routers|r:|  driver = manualroute|  route_list = * [10.0.0.1 ~ 4 ~ missing ] in host
            begin routers|r:|  driver = manualroute|  route_list = * mx/MX ~ 4 ~ /MX host items are not supported
            begin routers|r:|  driver = manualroute|  route_list = +nope h ~ 4 ~ unknown domain list "+nope"
            begin routers|r:|  driver = manualroute|  route_data = h|  host_find_failed = maybe ~ 5 ~ "maybe" is not one of decline, defer
            begin routers|r:|  driver = dnslookup|  self = reroute:x ~ 4 ~ option "self": "reroute:x" is not one of defer, fail, freeze, pass, send
            dns_servers = ns.example.com                              ~ 1 ~ main option "dns_servers": "ns.example.com" is not an IP address
            dns_servers = 127.0.0.1.70000                             ~ 1 ~ out of range
            dns_servers = 127.0.0.1.0                                 ~ 1 ~ out of range
            begin routers|r:|  driver = accept|  transport = t1       ~ 4 ~ router "r": transport "t1" is not defined
            begin routers|r:|  driver = accept|  transport = t|begin transports|t:|  driver = pipe ~ 7 ~ transport "t": unknown driver "pipe"
            begin transports|t:|  port = 25                           ~ 2 ~ transport "t": no driver defined
            begin transports|t:|  driver = smtp|  directory = /x      ~ 4 ~ transport "t": option "directory" unknown for the smtp driver
            begin transports|t:|  driver = appendfile|  port = 25     ~ 4 ~ option "port" unknown for the appendfile driver
            begin transports|t:|  driver = smtp|  port = 0            ~ 4 ~ transport "t": option "port": port 0 is out of range
            begin transports|t:|  driver = smtp|  connect_timeout = x ~ 4 ~ option "connect_timeout": "x" is not a valid time
            begin transports|t:|  driver = smtp|  hosts_pipe_connect = 300.1.1.1 ~ 4 ~ option "hosts_pipe_connect": "300.1.1.1" is not a valid IPv4 address
            begin transports|t:|  driver = appendfile|  mode = 0600   ~ 4 ~ transport "t": option "mode" is not implemented yet
            begin transports|local:|  driver = appendfile|  file = /var/mail/$local_part ~ 4 ~ transport "local": option "file" is not implemented yet
            begin transports|t:|  driver = appendfile|  create_directory ~ 4 ~ option "create_directory" is not implemented yet
            begin transports|t:|  driver = appendfile|  no_create_directory ~ 4 ~ option "create_directory" is not implemented yet
            begin routers|r:|  driver = accept|  local_parts = ! root ~ 4 ~ router "r": option "local_parts" is not implemented yet
            begin routers|r:|  driver = accept|  check_local_user  ~ 4 ~ router "r": option "check_local_user" is not implemented yet
            daemon_smtp_port                                          ~ 1 ~ main option "daemon_smtp_ports" needs a value
            daemon_smtp_port = 25 : 0                                 ~ 1 ~ main option "daemon_smtp_ports": port 0 is out of range
            tls_ticket_key_rotate = 0                                 ~ 1 ~ main option "tls_ticket_key_rotate" must be longer than 0s
            message_id_format = 5                                     ~ 1 ~ must be 4.97 (23-character ids) or 4.96
            begin transports|t:|  driver = appendfile|  maildir_format = sure ~ 4 ~ "sure" is not a boolean
            """)
    void errorsNameFileAndLine(String text, int line, String reason) {
        String config = text.strip().replace("|", "\n") + "\n";
        assertThatThrownBy(() -> Config.parse(config, "petrel.conf"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("petrel.conf line " + line + ": ")
                .hasMessageContaining(reason.strip())
                .satisfies(e -> {
                    ConfigException ce = (ConfigException) e;
                    org.assertj.core.api.Assertions.assertThat(ce.file()).isEqualTo("petrel.conf");
                    org.assertj.core.api.Assertions.assertThat(ce.line()).isEqualTo(line);
                });
    }
}
