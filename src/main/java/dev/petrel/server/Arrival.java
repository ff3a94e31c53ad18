package dev.petrel.server;

import dev.petrel.log.LogText;
import dev.petrel.log.MainLog;
import dev.petrel.tls.TlsSessionInfo;

import java.util.List;

/**
 * What the {@code <=} line says about an accepted message, in Exim's field order: sender, H=, TFO, P=, L, X=,
 * CV=, DN=, K, S=, id=, then Petrel's TR=, then T= and the recipients.
 *
 * @param host       {@code (helo) [ip]}
 * @param fastOpen   {@code TFO} or {@code TFO*} on the first message of a TCP Fast Open connection, else null
 * @param pipelining Exim's L field, or null when PIPELINING was not advertised
 * @param tls        null in cleartext
 */
record Arrival(String messageId, String sender, String host, int port, String fastOpen, String protocol,
               String pipelining, TlsSessionInfo tls, boolean chunking, long size, String messageIdHeader,
               String subject, List<String> recipients) {

    String logLine(MainLog log) {
        StringBuilder line = new StringBuilder(200);
        line.append(messageId).append(" <= ").append(sender.isEmpty() ? "<>" : sender).append(" H=").append(host);
        if (log.selected("incoming_port")) {
            line.append(':').append(port);
        }
        if (fastOpen != null) {
            line.append(' ').append(fastOpen);
        }
        line.append(" P=").append(protocol);
        if (pipelining != null && log.selected("pipelining")) {
            line.append(' ').append(pipelining);
        }
        if (tls != null) {
            if (log.selected("tls_cipher")) {
                line.append(" X=").append(tls.eximCipherField(log.selected("tls_resumption")));
            }
            if (log.selected("tls_certificate_verified")) {
                line.append(" CV=").append(tls.certificateVerified() ? "yes" : "no");
            }
            if (log.selected("tls_peerdn") && tls.peerDn() != null) {
                line.append(" DN=").append(LogText.quoted(tls.peerDn()));
            }
        }
        if (chunking) {
            line.append(" K");
        }
        line.append(" S=").append(size);
        if (messageIdHeader != null) {
            line.append(" id=").append(LogText.printable(messageIdHeader, 255));
        }
        if (tls != null && log.selected("tls_resumption_state")) {
            line.append(" TR=").append(LogText.quoted(tls.resumptionText()));
        }
        if (subject != null && log.selected("subject")) {
            line.append(" T=").append(LogText.quoted(LogText.printable(subject, 255)));
        }
        if (log.selected("received_recipients")) {
            line.append(" for ").append(String.join(" ", recipients));
        }
        return line.toString();
    }
}
