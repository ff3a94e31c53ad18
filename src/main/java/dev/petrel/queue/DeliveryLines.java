package dev.petrel.queue;

import dev.petrel.config.OptionTypes;
import dev.petrel.log.LogText;
import dev.petrel.log.MainLog;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.RemoteFacts;

import java.time.Duration;

/**
 * The main log's lines for delivery outcomes, in Exim's format: {@code =>} a delivery ({@code ->} a further
 * recipient of the same SMTP transaction), {@code ==} a defer, {@code **} a failure. Which optional fields
 * appear follows {@code log_selector}: {@code +outgoing_port}, {@code tls_cipher}, {@code +tls_resumption},
 * {@code tls_certificate_verified}, {@code +pipelining} ({@code L}, {@code L*}), {@code smtp_confirmation}.
 */
final class DeliveryLines {
    private static final int MAX_REPLY = 512;
    private static final int MAX_REASON = 1024;

    private final MainLog log;

    DeliveryLines(MainLog log) {
        this.log = log;
    }

    /** {@code routerTransport} is {@code R=router T=transport}. */
    String delivered(String id, String rcpt, String routerTransport, DeliveryResult result, boolean further) {
        RemoteFacts remote = result.remote();
        if (remote == null) {
            return id + " => " + result.localPart() + " <" + rcpt + "> " + routerTransport;
        }
        StringBuilder line = new StringBuilder(160).append(id).append(further ? " -> " : " => ").append(rcpt)
                .append(' ').append(routerTransport).append(' ').append(host(remote));
        if (remote.continued()) {
            line.append('*'); // Exim's mark of a continued connection, after the port when +outgoing_port shows it
        }
        if (remote.fastOpen() != null) {
            line.append(' ').append(remote.fastOpen()); // Exim's place for it: after H=, before X=
        }
        if (remote.tls() != null) {
            if (log.selected("tls_cipher")) {
                line.append(" X=").append(remote.tls().eximCipherField(log.selected("tls_resumption")));
            }
            if (log.selected("tls_certificate_verified")) {
                line.append(" CV=").append(remote.certificateVerified() ? "yes" : "no");
            }
            if (log.selected("tls_peerdn") && remote.tls().peerDn() != null) {
                line.append(" DN=").append(LogText.quoted(remote.tls().peerDn()));
            }
        }
        if (remote.pipelined() && log.selected("pipelining")) {
            line.append(remote.earlyPipelined() ? " L*" : " L");
        }
        if (remote.chunked()) {
            line.append(" K");
        }
        if (remote.reply() != null && log.selected("smtp_confirmation")) {
            line.append(" C=\"").append(LogText.printable(remote.reply(), MAX_REPLY)).append('"');
        }
        if (remote.deliveryTime() != null && log.selected("deliver_time")) {
            line.append(" DT=").append(timeDiff(remote.deliveryTime()));
        }
        return line.toString();
    }

    String deferred(String id, String rcpt, String routerTransport, DeliveryResult result) {
        return id + " == " + rcpt + " " + routerTransport + " defer (" + result.errno() + ")"
                + (result.remote() == null ? "" : " " + host(result.remote())) + ": " + printable(result.reason());
    }

    String failed(String id, String rcpt, String routerTransport, DeliveryResult result) {
        return id + " ** " + rcpt + " " + routerTransport + (result.remote() == null ? "" : " " + host(result.remote()))
                + ": " + printable(result.reason());
    }

    /** {@code H=name [ip]}, with {@code :port} under {@code +outgoing_port}. */
    private String host(RemoteFacts remote) {
        return RemoteFacts.hostField(remote.host(), remote.address(), remote.port(), log.selected("outgoing_port"));
    }

    /** Exim's spelling of a duration on a log line: milliseconds under {@code +millisec} below 5s, else whole seconds. */
    private String timeDiff(Duration time) {
        if (time.toSeconds() < 5 && log.selected("millisec")) {
            return String.format("%d.%03ds", time.toSeconds(), time.toMillisPart());
        }
        return OptionTypes.TIME.print(Duration.ofSeconds(time.toSeconds()));
    }

    /** A server's text may hold anything; the log gets it on one line, bounded, controls escaped. */
    private static String printable(String reason) {
        StringBuilder out = new StringBuilder(Math.min(reason.length(), MAX_REASON));
        for (int i = 0; i < reason.length() && i < MAX_REASON; i++) {
            char c = reason.charAt(i);
            if (c < 32 || c == 127) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
