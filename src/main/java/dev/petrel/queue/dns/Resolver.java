package dev.petrel.queue.dns;

import java.net.InetAddress;

/** The DNS questions routing asks. Implementations block, and are safe to share between delivery threads. */
public interface Resolver {

    /** The MX records of a domain, CNAMEs followed, in the order the server gave them. */
    Lookup<MxRecord> mx(String domain);

    /** The IPv6 and IPv4 addresses of a host (AAAA, then A), CNAMEs followed. */
    Lookup<InetAddress> addresses(String host);
}
