package dev.petrel.server;

import dev.petrel.config.MainConfig;
import dev.petrel.config.MainOptions;
import dev.petrel.smtp.Reply;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the last EHLO offered this client, and so what it may use. {@link #NONE} is the state before any
 * greeting, after HELO, and after STARTTLS, which forgets everything said in cleartext (RFC 3207 4.2).
 *
 * @param sizeLimit message_size_limit for the SIZE line, 0 for none
 */
record Capabilities(boolean esmtp, boolean pipelining, boolean pipeconnect, boolean chunking, boolean starttls,
                    long sizeLimit, boolean dsn) {

    static final Capabilities NONE = new Capabilities(false, false, false, false, false, 0, false);

    Capabilities(boolean esmtp, boolean pipelining, boolean pipeconnect, boolean chunking, boolean starttls,
                 long sizeLimit) {
        this(esmtp, pipelining, pipeconnect, chunking, starttls, sizeLimit, false);
    }

    /**
     * What an EHLO from {@code client} is offered.
     *
     * @param earlyAllowed the client may pipeline before the banner (PIPECONNECT)
     * @param tlsAvailable STARTTLS could start now: TLS is configured and not already active
     */
    static Capabilities ehlo(MainConfig config, InetAddress client, boolean earlyAllowed, boolean tlsAvailable) {
        boolean pipelining = config.pipeliningAdvertiseHosts().matches(client);
        return new Capabilities(true, pipelining, pipelining && earlyAllowed,
                config.chunkingAdvertiseHosts().matches(client),
                tlsAvailable && config.tlsAdvertiseHosts().matches(client), config.messageSizeLimit(),
                config.get(MainOptions.DSN_ADVERTISE_HOSTS).matches(client));
    }

    /** The 250 to HELO or EHLO: the greeting alone, or followed by one line per extension. */
    Reply reply(String greeting) {
        if (!esmtp) {
            return Reply.of(250, greeting);
        }
        List<String> lines = new ArrayList<>();
        lines.add(greeting);
        lines.add(sizeLimit > 0 ? "SIZE " + sizeLimit : "SIZE");
        lines.add("8BITMIME");
        if (pipelining) {
            lines.add("PIPELINING");
        }
        if (pipeconnect) {
            lines.add("PIPECONNECT");
        }
        if (dsn) {
            lines.add("DSN");
        }
        if (chunking) {
            lines.add("CHUNKING");
        }
        if (starttls) {
            lines.add("STARTTLS");
        }
        lines.add("SMTPUTF8");
        lines.add("ENHANCEDSTATUSCODES");
        lines.add("HELP");
        return new Reply(250, lines);
    }

    /** Exim's protocol name for P= and the Received header. */
    String protocol(boolean tls) {
        return (esmtp ? "esmtp" : "smtp") + (tls ? "s" : "");
    }
}
