package dev.petrel.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The main section, parsed and defaulted. Defaults are Exim's unless noted.
 *
 * @param primaryHostname {@code primary_hostname}; default: the local host's canonical name, else {@code localhost}
 * @param localInterfaces {@code local_interfaces}; default: 127.0.0.1 on each of {@code daemonSmtpPorts}
 * @param daemonSmtpPorts {@code daemon_smtp_ports} (alias {@code daemon_smtp_port}); default 25
 * @param tlsOnConnectPorts {@code tls_on_connect_ports}; default none
 * @param spoolDirectory {@code spool_directory}; default {@code var/spool}
 * @param logFilePath {@code log_file_path}; default {@code var/log/%slog}, {@code %s} being main, reject or panic
 * @param logSelector enabled {@code log_selector} names after applying {@code +x}/{@code -x} to Exim's defaults
 * @param pipeliningConnectAdvertiseHosts {@code pipelining_connect_advertise_hosts}; default {@code *}
 * @param pipeliningAdvertiseHosts {@code pipelining_advertise_hosts}; default {@code *}
 * @param chunkingAdvertiseHosts {@code chunking_advertise_hosts}; default {@code *}
 * @param tlsAdvertiseHosts {@code tls_advertise_hosts}; default {@code *}
 * @param tlsResumptionHosts {@code tls_resumption_hosts}; default unset, matching nothing
 * @param tlsCertificate {@code tls_certificate}, or null
 * @param tlsPrivatekey {@code tls_privatekey}, or null
 * @param tlsTicketKeyRotate {@code tls_ticket_key_rotate} (Petrel option); default 1h
 * @param tlsTicketLifetime {@code tls_ticket_lifetime} (Petrel option); default 2h
 * @param messageSizeLimit {@code message_size_limit} in bytes, 0 meaning no limit; default 50M
 * @param recipientsMax {@code recipients_max}; default 50000
 * @param smtpAcceptMax {@code smtp_accept_max}; default 100 (Exim's is 20, too low for a relay
 *     that keeps connections open for pipelining and reuse)
 * @param smtpAcceptMaxPerHost {@code smtp_accept_max_per_host}: connections at once from one IP address, 0 for no
 *     limit; default unset (no limit)
 * @param smtpAcceptReserve {@code smtp_accept_reserve}: of the smtp_accept_max slots, how many only
 *     {@code smtpReserveHosts} may take; default 0
 * @param smtpReserveHosts {@code smtp_reserve_hosts}; default unset, matching nothing
 * @param smtpReceiveTimeout {@code smtp_receive_timeout}; default 5m. It bounds the silence between commands, the
 *     time from a command line's first octet to its end, and each silence within a message
 * @param smtpReceiveMinRate {@code smtp_receive_min_rate} (Petrel option): octets a second a DATA or BDAT transfer
 *     must average once its first smtp_receive_timeout is used up, 0 for no minimum; default 500 (Postfix's
 *     smtpd_min_data_rate)
 * @param smtpEnforceSync {@code smtp_enforce_sync}; default true
 * @param localDomains {@code domainlist local_domains}; default empty
 * @param relayToDomains {@code domainlist relay_to_domains}; default empty
 * @param relayFromHosts {@code hostlist relay_from_hosts}; default empty
 * @param retryDataExpire {@code retry_data_expire}; default 7d
 * @param smtpMaxUnknownCommands {@code smtp_max_unknown_commands}; default 3
 * @param smtpMaxSynprotErrors {@code smtp_max_synprot_errors}; default 3
 * @param qualifyDomain {@code qualify_domain}; default {@code primaryHostname}
 * @param messageIdFormat {@code message_id_format} (Petrel's own): {@code 4.97} for Exim's current 23-character
 *     ids (default), {@code 4.96} for the 16-character ids that Exim 4.96 and its eximstats/exigrep expect
 * @param queueOnly {@code queue_only}: accepted messages wait for the next queue run instead of being delivered
 *     at once; default false
 * @param dnsServers {@code dns_servers} (Petrel's own; Exim has no such option): the DNS servers the routers
 *     ask, as {@code ip.port} or {@code ip} (port 53); default unset, meaning the system's resolver configuration
 */
public record MainConfig(
        String primaryHostname,
        List<ListenAddress> localInterfaces,
        List<Integer> daemonSmtpPorts,
        List<Integer> tlsOnConnectPorts,
        Path spoolDirectory,
        String logFilePath,
        Set<String> logSelector,
        HostList pipeliningConnectAdvertiseHosts,
        HostList pipeliningAdvertiseHosts,
        HostList chunkingAdvertiseHosts,
        HostList tlsAdvertiseHosts,
        HostList tlsResumptionHosts,
        String tlsCertificate,
        String tlsPrivatekey,
        Duration tlsTicketKeyRotate,
        Duration tlsTicketLifetime,
        long messageSizeLimit,
        int recipientsMax,
        int smtpAcceptMax,
        int smtpAcceptMaxPerHost,
        int smtpAcceptReserve,
        HostList smtpReserveHosts,
        Duration smtpReceiveTimeout,
        long smtpReceiveMinRate,
        boolean smtpEnforceSync,
        DomainList localDomains,
        DomainList relayToDomains,
        HostList relayFromHosts,
        Duration retryDataExpire,
        int smtpMaxUnknownCommands,
        int smtpMaxSynprotErrors,
        String qualifyDomain,
        String messageIdFormat,
        boolean queueOnly,
        List<ListenAddress> dnsServers) {

    public MainConfig {
        Objects.requireNonNull(primaryHostname, "primaryHostname");
        localInterfaces = List.copyOf(localInterfaces);
        daemonSmtpPorts = List.copyOf(daemonSmtpPorts);
        tlsOnConnectPorts = List.copyOf(tlsOnConnectPorts);
        dnsServers = List.copyOf(dnsServers);
        logSelector = Set.copyOf(logSelector);
        Objects.requireNonNull(spoolDirectory, "spoolDirectory");
        Objects.requireNonNull(qualifyDomain, "qualifyDomain");
    }

    /** Whether a {@code log_selector} name is enabled. */
    public boolean logs(String selector) {
        return logSelector.contains(selector);
    }
}
