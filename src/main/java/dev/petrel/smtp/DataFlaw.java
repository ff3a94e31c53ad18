package dev.petrel.smtp;

/** Ways message text can break RFC 5321, each a reason to refuse the message once its real end is read. */
public enum DataFlaw {
    /** LF without CR: the raw material of SMTP smuggling. */
    BARE_LF("550 5.5.2 Message rejected: bare <LF> received"),
    /** CR without LF. */
    BARE_CR("550 5.5.2 Message rejected: bare <CR> received"),
    /** A line longer than 998 octets plus CRLF. */
    LINE_TOO_LONG("550 5.5.2 Message rejected: line longer than 998 octets"),
    /** A NUL octet, which no mail format allows in text. */
    NUL("550 5.6.0 Message rejected: binary zero (NUL) in message");

    private final String reply;

    DataFlaw(String reply) {
        this.reply = reply;
    }

    public String reply() {
        return reply;
    }
}
