package dev.petrel.server;

import dev.petrel.tls.TlsSessionInfo;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * The Received: header Petrel puts on top of each message it accepts (RFC 5321 4.4, in Exim's layout): what
 * the session knows of the client when the message starts; {@link #text} adds the transaction's part.
 *
 * @param host {@code [ip]} of the client
 * @param tls  null in cleartext
 */
record ReceivedHeader(String helo, String host, String byHost, String protocol, String version, TlsSessionInfo tls) {
    static final DateTimeFormatter RFC_5322 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT);

    String text(String sender, String messageId, List<String> recipients, ZonedDateTime now) {
        StringBuilder h = new StringBuilder(256);
        h.append("Received: from ").append(helo).append(" (").append(host).append(")\r\n\tby ").append(byHost)
                .append(" with ").append(protocol).append(" (Petrel ").append(version).append(")\r\n\t");
        if (tls != null) {
            h.append("(").append(tls.protocol()).append(") tls ").append(tls.cipher()).append("\r\n\t");
        }
        h.append("(envelope-from <").append(sender).append(">)\r\n\tid ").append(messageId);
        if (recipients.size() == 1) {
            h.append("\r\n\tfor ").append(recipients.get(0));
        }
        return h.append(";\r\n\t").append(now.format(RFC_5322)).append("\r\n").toString();
    }
}
