package dev.petrel.transport;

import java.util.Locale;

/**
 * A recipient split at its last {@code @}. The local part is lowercased because Exim's
 * {@code caseful_local_part} is false: {@code Alice} and {@code alice} are one mailbox.
 */
public record Address(String localPart, String domain) {

    public static Address parse(String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? "" : address.substring(at + 1);
        return new Address(local.toLowerCase(Locale.ROOT), domain.toLowerCase(Locale.ROOT));
    }

    /** The address as it selects a mailbox, e.g. for telling duplicates apart: {@code u1@local} for {@code U1@LOCAL}. */
    public String canonical() {
        return domain.isEmpty() ? localPart : localPart + "@" + domain;
    }
}
