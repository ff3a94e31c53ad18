package dev.petrel.config;

import java.util.Map;

/** What an option's value may depend on while the configuration is read. */
public interface OptionContext {
    /** What {@code @} in a list stands for. */
    String primaryHostname();

    /** {@code hostlist} definitions, for {@code +name} items. */
    Map<String, HostList> hostLists();

    /** {@code domainlist} definitions, for {@code +name} items. */
    Map<String, DomainList> domainLists();

    /** Another option of the same table; bare {@code local_interfaces} entries take {@code daemon_smtp_ports}. */
    <T> T value(Option<T> option);
}
