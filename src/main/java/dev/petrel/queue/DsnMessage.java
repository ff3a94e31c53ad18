package dev.petrel.queue;

import dev.petrel.spool.Envelope;
import dev.petrel.spool.RecipientOptions;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.spool.Xtext;
import dev.petrel.transport.MailDate;
import dev.petrel.transport.RemoteFacts;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A delivery status notification (RFC 3464): {@code multipart/report; report-type=delivery-status} with a text
 * part for people, in Exim's words, a {@code message/delivery-status} part for software, and the original
 * message's headers ({@code text/rfc822-headers}), or the whole message ({@code message/rfc822}) for a failure
 * when the sender asked with {@code RET=FULL}. It comes from the mailer-daemon, so its envelope sender is
 * {@code <>} and nothing answers it.
 */
final class DsnMessage {
    /** What the notification says happened. */
    enum Kind { FAILED, DELAYED, DELIVERED }

    /** Headers beyond this are cut: a DSN must not become a way to amplify a huge header block. */
    private static final int MAX_HEADERS = 64 * 1024;
    /** Exim's bounce_return_size_limit: a bigger message goes back as its headers only. */
    private static final long MAX_RETURNED = 100 * 1024;
    private static final Pattern ENHANCED = Pattern.compile("^[245][0-9][0-9] ([245]\\.[0-9]{1,3}\\.[0-9]{1,3})\\b");

    private DsnMessage() {
    }

    static byte[] render(Kind kind, String dsnId, SpooledMessage original, List<Failure> recipients,
                         String primaryHostname, String qualifyDomain) throws IOException {
        Envelope envelope = original.envelope();
        byte[] headers = originalHeaders(original);
        boolean full = kind == Kind.FAILED && envelope.mail().returnFull() && original.dataSize() <= MAX_RETURNED;
        String boundary = dsnId + "-" + Long.toHexString(System.nanoTime()) + "=_petrel";
        String date = MailDate.now();
        StringBuilder out = new StringBuilder(4096);
        line(out, "Received: from petrel by " + primaryHostname + " with local (Petrel)");
        line(out, "\tid " + dsnId + "; " + date);
        line(out, "Auto-Submitted: auto-replied");
        line(out, "From: Mail Delivery System <Mailer-Daemon@" + qualifyDomain + ">");
        line(out, "To: " + envelope.sender());
        String messageId = header(headers, "Message-Id");
        if (messageId != null) {
            line(out, "References: " + messageId);
        }
        line(out, "Content-Type: multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\"");
        line(out, "MIME-Version: 1.0");
        line(out, "Subject: " + subject(kind, original));
        line(out, "Message-Id: <" + dsnId + "@" + primaryHostname + ">");
        line(out, "Date: " + date);
        if (kind == Kind.FAILED) {
            line(out, "X-Failed-Recipients: " + recipients.stream().map(Failure::recipient).collect(Collectors.joining(", ")));
        }
        line(out, "");
        line(out, "--" + boundary);
        line(out, "Content-Type: text/plain; charset=us-ascii");
        line(out, "");
        String cut = kind == Kind.FAILED && envelope.mail().returnFull() && !full
                ? "The message is over " + MAX_RETURNED / 1024 + "K, so only its headers are returned." : null;
        DsnText.explain(out, kind, original, recipients, primaryHostname, headers, cut);
        while (out.length() >= 4 && out.substring(out.length() - 4).equals("\r\n\r\n")) {
            out.setLength(out.length() - 2); // one blank line before the boundary, however the text ended
        }
        line(out, "");
        line(out, "--" + boundary);
        line(out, "Content-Type: message/delivery-status");
        line(out, "");
        status(out, kind, envelope, recipients, primaryHostname);
        line(out, "--" + boundary);
        line(out, "Content-Type: " + (full ? "message/rfc822" : "text/rfc822-headers"));
        line(out, "");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.length() + headers.length + 256);
        bytes.writeBytes(out.toString().getBytes(StandardCharsets.UTF_8));
        if (full) {
            try (InputStream in = original.openData()) {
                in.transferTo(bytes);
            }
        } else {
            bytes.writeBytes(headers);
        }
        bytes.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return bytes.toByteArray();
    }

    private static String subject(Kind kind, SpooledMessage original) {
        return switch (kind) {
            case FAILED -> "Mail delivery failed: returning message to sender";
            case DELAYED -> "Warning: message " + original.id() + " delayed "
                    + DsnText.age(original.envelope().receivedAt());
            case DELIVERED -> "Delivery Status Notification";
        };
    }

    /** The machine-readable part: per-message fields, then a block per recipient. */
    private static void status(StringBuilder out, Kind kind, Envelope envelope, List<Failure> recipients,
                               String primaryHostname) {
        line(out, "Reporting-MTA: dns; " + primaryHostname);
        if (envelope.mail().envid() != null) {
            line(out, "Original-Envelope-Id: " + safe(Xtext.decode(envelope.mail().envid())));
        }
        line(out, "Arrival-Date: " + MailDate.format(envelope.receivedAt().atZone(ZoneId.systemDefault())));
        line(out, "");
        for (Failure f : recipients) {
            RecipientOptions options = envelope.optionsOf(f.recipient());
            if (options.orcpt() != null) {
                line(out, "Original-Recipient: " + options.orcptType() + ";" + safe(options.orcptAddress()));
            }
            line(out, "Final-Recipient: rfc822;" + f.recipient());
            RemoteFacts remote = f.remote();
            line(out, "Action: " + action(kind, remote));
            line(out, "Status: " + status(kind, remote));
            if (remote != null) {
                line(out, "Remote-MTA: dns; " + remote.host());
            }
            if (remote != null && remote.reply() != null) {
                line(out, "Diagnostic-Code: smtp; " + safe(remote.reply()));
            } else if (kind == Kind.DELIVERED && remote != null) {
                line(out, "Diagnostic-Code: X-Petrel; relayed via a server that does not offer DSN");
            } else if (f.reason() != null) {
                line(out, "Diagnostic-Code: X-Petrel; " + safe(f.reason()));
            }
            line(out, "");
        }
    }

    private static String action(Kind kind, RemoteFacts remote) {
        return switch (kind) {
            case FAILED -> "failed";
            case DELAYED -> "delayed";
            // Delivered here, or passed to a server that will not report on it (RFC 3461 4.2).
            case DELIVERED -> remote == null ? "delivered" : "relayed";
        };
    }

    /** The reply's enhanced status code when it has one, else the class's generic one. */
    static String status(Kind kind, RemoteFacts remote) {
        if (remote != null && remote.reply() != null) {
            Matcher m = ENHANCED.matcher(remote.reply());
            if (m.find() && m.group(1).charAt(0) == statusClass(kind)) {
                return m.group(1);
            }
        }
        return statusClass(kind) + ".0.0";
    }

    private static char statusClass(Kind kind) {
        return switch (kind) {
            case FAILED -> '5';
            case DELAYED -> '4';
            case DELIVERED -> '2';
        };
    }

    /** One line of printable ASCII: a server's reply or an address may hold anything. */
    static String safe(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), 1000));
        for (int i = 0; i < text.length() && i < 1000; i++) {
            char c = text.charAt(i);
            out.append(c >= ' ' && c < 127 ? c : '?');
        }
        return out.toString();
    }

    static void line(StringBuilder out, String text) {
        out.append(text).append("\r\n");
    }

    /** The first field named {@code name} in a header block, unfolded; null when there is none. */
    static String header(byte[] headers, String name) {
        String text = new String(headers, StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + "[ \\t]*:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)").matcher(text);
        return m.find() ? safe(m.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip()) : null;
    }

    /** The header block of the original, up to the blank line, ending in CRLF. */
    static byte[] originalHeaders(SpooledMessage original) throws IOException {
        byte[] head;
        try (InputStream in = original.openData()) {
            head = in.readNBytes(MAX_HEADERS);
        }
        int end = -1;
        int lineStart = 0;
        for (int i = 0; i < head.length && end < 0; i++) {
            if (head[i] == '\n') {
                int length = i - lineStart - (i > lineStart && head[i - 1] == '\r' ? 1 : 0);
                if (length == 0) {
                    end = lineStart;
                }
                lineStart = i + 1;
            }
        }
        if (end < 0) {
            // No body, or headers longer than we copy: stop at the last complete line if we cut it short.
            end = head.length < MAX_HEADERS ? head.length : lineStart;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end + 2);
        out.write(head, 0, end);
        if (end > 0 && head[end - 1] != '\n') {
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }
}
