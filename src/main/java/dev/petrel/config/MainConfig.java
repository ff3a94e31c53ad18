package dev.petrel.config;

import static dev.petrel.config.MainOptions.*;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The main section, parsed and defaulted: a typed view of {@link MainOptions}, where each option is declared
 * with its default and meaning. The named methods are for the code that already reads them; an option added
 * later is read with {@link #get(Option)}.
 *
 * @param options every main option's value
 * @param hostLists the {@code hostlist} definitions, by name
 * @param domainLists the {@code domainlist} definitions, by name
 */
public record MainConfig(OptionValues options, Map<String, HostList> hostLists, Map<String, DomainList> domainLists) {

    public MainConfig {
        Objects.requireNonNull(options, "options");
        hostLists = Collections.unmodifiableMap(new LinkedHashMap<>(hostLists));
        domainLists = Collections.unmodifiableMap(new LinkedHashMap<>(domainLists));
    }

    public <T> T get(Option<T> option) {
        return options.get(option);
    }

    /** Whether a {@code log_selector} name is enabled. */
    public boolean logs(String selector) {
        return logSelector().contains(selector);
    }

    /** {@code domainlist local_domains}; empty when not defined. */
    public DomainList localDomains() {
        return domainLists.getOrDefault("local_domains", DomainList.none());
    }

    /** {@code domainlist relay_to_domains}; empty when not defined. */
    public DomainList relayToDomains() {
        return domainLists.getOrDefault("relay_to_domains", DomainList.none());
    }

    /** {@code hostlist relay_from_hosts}; empty when not defined. */
    public HostList relayFromHosts() {
        return hostLists.getOrDefault("relay_from_hosts", HostList.none());
    }

    public String primaryHostname() {
        return get(PRIMARY_HOSTNAME);
    }

    public List<ListenAddress> localInterfaces() {
        return get(LOCAL_INTERFACES);
    }

    public List<Integer> daemonSmtpPorts() {
        return get(DAEMON_SMTP_PORTS);
    }

    public List<Integer> tlsOnConnectPorts() {
        return get(TLS_ON_CONNECT_PORTS);
    }

    public Path spoolDirectory() {
        return get(SPOOL_DIRECTORY);
    }

    public String logFilePath() {
        return get(LOG_FILE_PATH);
    }

    /** Enabled {@code log_selector} names after applying {@code +x}/{@code -x} to Exim's defaults. */
    public Set<String> logSelector() {
        return get(LOG_SELECTOR).enabled();
    }

    public HostList pipeliningConnectAdvertiseHosts() {
        return get(PIPELINING_CONNECT_ADVERTISE_HOSTS);
    }

    public HostList pipeliningAdvertiseHosts() {
        return get(PIPELINING_ADVERTISE_HOSTS);
    }

    public HostList chunkingAdvertiseHosts() {
        return get(CHUNKING_ADVERTISE_HOSTS);
    }

    public HostList tlsAdvertiseHosts() {
        return get(TLS_ADVERTISE_HOSTS);
    }

    public HostList tlsResumptionHosts() {
        return get(TLS_RESUMPTION_HOSTS);
    }

    /** Null when unset. */
    public String tlsCertificate() {
        return get(TLS_CERTIFICATE);
    }

    /** Null when unset. */
    public String tlsPrivatekey() {
        return get(TLS_PRIVATEKEY);
    }

    public Duration tlsTicketKeyRotate() {
        return get(TLS_TICKET_KEY_ROTATE);
    }

    public Duration tlsTicketLifetime() {
        return get(TLS_TICKET_LIFETIME);
    }

    /** In bytes; 0 means no limit. */
    public long messageSizeLimit() {
        return get(MESSAGE_SIZE_LIMIT);
    }

    public int recipientsMax() {
        return get(RECIPIENTS_MAX);
    }

    public int smtpAcceptMax() {
        return get(SMTP_ACCEPT_MAX);
    }

    /** 0 when unset: no limit. */
    public int smtpAcceptMaxPerHost() {
        return Objects.requireNonNullElse(get(SMTP_ACCEPT_MAX_PER_HOST), 0);
    }

    public int smtpAcceptReserve() {
        return get(SMTP_ACCEPT_RESERVE);
    }

    public HostList smtpReserveHosts() {
        return get(SMTP_RESERVE_HOSTS);
    }

    public Duration smtpReceiveTimeout() {
        return get(SMTP_RECEIVE_TIMEOUT);
    }

    /** Octets a second; 0 for no minimum. */
    public long smtpReceiveMinRate() {
        return get(SMTP_RECEIVE_MIN_RATE);
    }

    public boolean smtpEnforceSync() {
        return get(SMTP_ENFORCE_SYNC);
    }

    public Duration retryDataExpire() {
        return get(RETRY_DATA_EXPIRE);
    }

    public int smtpMaxUnknownCommands() {
        return get(SMTP_MAX_UNKNOWN_COMMANDS);
    }

    public int smtpMaxSynprotErrors() {
        return get(SMTP_MAX_SYNPROT_ERRORS);
    }

    public String qualifyDomain() {
        return get(QUALIFY_DOMAIN);
    }

    public String messageIdFormat() {
        return get(MESSAGE_ID_FORMAT);
    }

    public boolean queueOnly() {
        return get(QUEUE_ONLY);
    }

    /** Empty when unset: the system's resolver configuration applies. */
    public List<ListenAddress> dnsServers() {
        return get(DNS_SERVERS);
    }
}
