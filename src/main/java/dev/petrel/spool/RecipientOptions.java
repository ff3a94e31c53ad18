package dev.petrel.spool;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * DSN's parameters of one RCPT (RFC 3461): which notifications the sender wants, and the original recipient.
 *
 * @param notifyOn NOTIFY as given; empty when not given (then failures and delays are reported, as RFC 3461 4.1
 *     allows and Exim does)
 * @param orcpt ORCPT as received, {@code addr-type;xtext}; null when none
 */
public record RecipientOptions(Set<Notify> notifyOn, String orcpt) {

    public static final RecipientOptions NONE = new RecipientOptions(Set.of(), null);

    public enum Notify { NEVER, SUCCESS, FAILURE, DELAY }

    public RecipientOptions {
        notifyOn = notifyOn.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(notifyOn));
        if (notifyOn.contains(Notify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER stands alone");
        }
        if (orcpt != null && !validOrcpt(orcpt)) {
            throw new IllegalArgumentException("ORCPT is not addr-type;xtext");
        }
    }

    /** {@code addr-type ";" xtext}, addr-type an atom (RFC 3461 4.2). */
    public static boolean validOrcpt(String value) {
        int semi = value.indexOf(';');
        return semi > 0 && value.substring(0, semi).matches("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+")
                && Xtext.valid(value.substring(semi + 1));
    }

    public boolean notifyFailure() {
        return notifyOn.isEmpty() || notifyOn.contains(Notify.FAILURE);
    }

    public boolean notifyDelay() {
        return notifyOn.isEmpty() || notifyOn.contains(Notify.DELAY);
    }

    public boolean notifySuccess() {
        return notifyOn.contains(Notify.SUCCESS);
    }

    /** NOTIFY's value as it goes on the wire ({@code SUCCESS,FAILURE}), or null when none was given. */
    public String notifyParameter() {
        if (notifyOn.isEmpty()) {
            return null;
        }
        return EnumSet.copyOf(notifyOn).stream().map(n -> n.name()).collect(Collectors.joining(","));
    }

    /** Parses NOTIFY's value; null when it is not NEVER or a list of SUCCESS, FAILURE and DELAY. */
    public static Set<Notify> parseNotify(String value) {
        EnumSet<Notify> out = EnumSet.noneOf(Notify.class);
        for (String word : value.split(",", -1)) {
            Notify n;
            try {
                n = Notify.valueOf(word.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
            if (!out.add(n)) {
                return null;
            }
        }
        return out.contains(Notify.NEVER) && out.size() > 1 ? null : out;
    }

    /** ORCPT's address-type, e.g. {@code rfc822}. */
    public String orcptType() {
        return orcpt == null ? null : orcpt.substring(0, orcpt.indexOf(';'));
    }

    /** ORCPT's address, decoded. */
    public String orcptAddress() {
        return orcpt == null ? null : Xtext.decode(orcpt.substring(orcpt.indexOf(';') + 1));
    }
}
