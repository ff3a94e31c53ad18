package dev.petrel.queue.dns;

/**
 * One MX record.
 *
 * @param host the exchange, lower case, without the trailing dot; empty for RFC 7505's null MX ({@code .})
 */
public record MxRecord(int preference, String host) {

    /** A null MX says the domain accepts no mail at all. */
    public boolean isNull() {
        return host.isEmpty();
    }
}
