package dev.petrel.queue;

import dev.petrel.spool.SpooledMessage;
import dev.petrel.transport.MailDate;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The text of a non-delivery report: plain text in the shape Exim's bounces have, so that people and the
 * scripts that parse Exim bounces (X-Failed-Recipients) recognise it, with the original headers but not
 * the body, which the sender already has.
 */
final class BounceMessage {
    /** Headers beyond this are cut: a bounce must not become a way to amplify a huge header block. */
    private static final int MAX_HEADERS = 64 * 1024;

    private BounceMessage() {
    }

    static byte[] render(String bounceId, SpooledMessage original, List<Failure> failures, String primaryHostname,
                         String qualifyDomain) throws IOException {
        String sender = original.envelope().sender();
        StringBuilder out = new StringBuilder(2048);
        line(out, "Received: from petrel by " + primaryHostname + " with local (Petrel)");
        line(out, "\tid " + bounceId + "; " + MailDate.now());
        line(out, "Auto-Submitted: auto-replied");
        line(out, "From: Mail Delivery System <Mailer-Daemon@" + qualifyDomain + ">");
        line(out, "To: " + sender);
        line(out, "Subject: Mail delivery failed: returning message to sender");
        line(out, "Message-Id: <" + bounceId + "@" + primaryHostname + ">");
        line(out, "Date: " + MailDate.now());
        line(out, "X-Failed-Recipients: " + failures.stream().map(Failure::recipient).collect(Collectors.joining(", ")));
        line(out, "");
        line(out, "This message was created automatically by mail delivery software.");
        line(out, "");
        line(out, "A message that you sent could not be delivered to one or more of its");
        line(out, "recipients. This is a permanent error. The following address(es) failed:");
        line(out, "");
        for (Failure f : failures) {
            line(out, "  " + f.recipient());
            line(out, "    " + f.reason().replace('\r', ' ').replace('\n', ' '));
        }
        line(out, "");
        line(out, "------ This is a copy of the message's headers. ------");
        line(out, "");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(out.length() + 4096);
        bytes.writeBytes(out.toString().getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(originalHeaders(original));
        return bytes.toByteArray();
    }

    private static void line(StringBuilder out, String text) {
        out.append(text).append("\r\n");
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
