package dev.petrel.smtp;

import java.util.Locale;

/** The commands a server knows; whether each must be the last of a pipelined group is RFC 2920's rule. */
public enum Verb {
    HELO(true), EHLO(true), MAIL(false), RCPT(false), DATA(true), BDAT(false), RSET(false), NOOP(true),
    QUIT(true), VRFY(true), EXPN(true), HELP(true), STARTTLS(true), AUTH(true), UNKNOWN(false);

    private final boolean endsGroup;

    Verb(boolean endsGroup) {
        this.endsGroup = endsGroup;
    }

    /** A command after which a client must wait for the reply before sending more (RFC 2920 3.1). */
    public boolean endsGroup() {
        return endsGroup;
    }

    static Verb of(String word) {
        if (word.length() != 4) {
            return word.equalsIgnoreCase("STARTTLS") ? STARTTLS : UNKNOWN;
        }
        try {
            Verb v = valueOf(word.toUpperCase(Locale.ROOT));
            return v == STARTTLS || v == UNKNOWN ? UNKNOWN : v;
        } catch (IllegalArgumentException e) {
            return UNKNOWN;
        }
    }
}
