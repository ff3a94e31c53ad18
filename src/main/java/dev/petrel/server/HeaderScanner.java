package dev.petrel.server;

import io.netty.buffer.ByteBuf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Keeps the header section of a message as it streams past, for the {@code id=} and {@code T=} log fields.
 * Bounded: a header section past 64 KiB is not looked at further.
 */
final class HeaderScanner {
    private static final int LIMIT = 64 * 1024;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private boolean complete;

    void feed(ByteBuf content) {
        if (complete) {
            return;
        }
        int n = Math.min(content.readableBytes(), LIMIT - head.size());
        byte[] bytes = new byte[n];
        content.getBytes(content.readerIndex(), bytes);
        head.writeBytes(bytes);
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (text.startsWith("\r\n") || text.contains("\r\n\r\n") || head.size() >= LIMIT) {
            complete = true;
        }
    }

    /** The unfolded value of the first header of that name, or null. */
    String header(String name) {
        String text = head.toString(StandardCharsets.UTF_8);
        int end = text.indexOf("\r\n\r\n");
        if (end >= 0) {
            text = text.substring(0, end + 2);
        }
        String wanted = name.toLowerCase(Locale.ROOT) + ":";
        String[] lines = text.split("\r\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].toLowerCase(Locale.ROOT).startsWith(wanted)) {
                StringBuilder value = new StringBuilder(lines[i].substring(wanted.length()).strip());
                for (int j = i + 1; j < lines.length && !lines[j].isEmpty()
                        && (lines[j].charAt(0) == ' ' || lines[j].charAt(0) == '\t'); j++) {
                    value.append(' ').append(lines[j].strip());
                }
                return value.toString();
            }
        }
        return null;
    }

    /** The Message-ID without its angle brackets, as Exim logs it in {@code id=}. */
    String messageId() {
        String id = header("Message-ID");
        if (id == null) {
            return null;
        }
        id = id.strip();
        if (id.startsWith("<") && id.endsWith(">")) {
            id = id.substring(1, id.length() - 1);
        }
        return id.isEmpty() ? null : id;
    }
}
