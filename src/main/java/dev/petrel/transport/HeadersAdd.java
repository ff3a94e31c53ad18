package dev.petrel.transport;

import dev.petrel.config.EximList;
import dev.petrel.log.LogText;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * The generic transport option {@code headers_add}: header lines added at the end of a message's header
 * section as the transport writes it. As in Exim the option is a newline-separated list (every setting of it
 * one more item), each item expanded on its own when the message is written; an empty result or a forced
 * failure adds nothing, and any other failure defers the delivery. A result may hold several lines
 * ({@code \n} in the option). Exim does not look at what it adds; Petrel leaves out, with a log line, a line
 * that is no header (no field name and colon, an empty line that would end the section early, a
 * continuation with nothing before it), so that a slip in the configuration cannot corrupt the message.
 */
public final class HeadersAdd {
    /** A field name (printable ASCII but the colon) and its colon, RFC 5322 2.2. */
    private static final Pattern FIELD = Pattern.compile("[\\x21-\\x39\\x3b-\\x7e]+[ \\t]*:.*", Pattern.DOTALL);
    private static final Pattern LINE_END = Pattern.compile("\r\n|\r|\n");

    private final List<String> items;
    private final String transport;
    private final Consumer<String> log;

    /**
     * @param option the option's value, null when unset
     * @param log where a line left out is reported
     */
    public HeadersAdd(String option, String transport, Consumer<String> log) {
        this.items = option == null ? List.of() : EximList.split(option, '\n');
        this.transport = transport;
        this.log = log;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** Whether an item uses {@code $name}. */
    public boolean mentions(String name) {
        return items.stream().anyMatch(item -> Expansion.mentions(item, name));
    }

    /**
     * The message text as written: {@code data} (CRLF lines, as spooled) with the expanded lines at the end of
     * its header section; {@code data} itself when nothing is added.
     *
     * @param id the message id, for the log line of a line left out
     * @throws IllegalArgumentException when an item fails to expand (not a forced failure): defer the delivery
     */
    public byte[] apply(byte[] data, Expansion expansion, String id) {
        if (items.isEmpty()) {
            return data;
        }
        StringBuilder lines = new StringBuilder();
        for (String item : items) {
            String text = expansion.expandItem(item, "headers_add", transport);
            if (text != null) {
                addHeaderLines(text, lines, id);
            }
        }
        return lines.isEmpty() ? data : insert(data, lines.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The well-formed fields of one item's result, each line ending in CRLF; the rest are logged and left out. */
    private void addHeaderLines(String text, StringBuilder out, String id) {
        String trimmed = text.endsWith("\r\n") ? text.substring(0, text.length() - 2)
                : text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        if (trimmed.isEmpty()) {
            return;
        }
        StringBuilder field = null;
        for (String line : LINE_END.split(trimmed, -1)) {
            boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
            if (continuation && field != null) {
                field.append(line).append("\r\n");
                continue;
            }
            if (field != null) {
                out.append(field);
                field = null;
            }
            if (FIELD.matcher(line).matches() && line.indexOf('\0') < 0) {
                field = new StringBuilder(line).append("\r\n");
            } else {
                log.accept(id + " T=" + transport + ": headers_add line " + LogText.quoted(line)
                        + " left out: not a header line");
            }
        }
        if (field != null) {
            out.append(field);
        }
    }

    /** {@code lines} inserted after the last header line of {@code data}: before the empty line that ends the section. */
    static byte[] insert(byte[] data, byte[] lines) {
        int at = headerEnd(data);
        boolean needsLineEnd = at == data.length && at > 0 && data[at - 1] != '\n';
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length + lines.length + 2);
        out.write(data, 0, at);
        if (needsLineEnd) {
            out.writeBytes(new byte[] {'\r', '\n'});
        }
        out.writeBytes(lines);
        out.write(data, at, data.length - at);
        return out.toByteArray();
    }

    /** Where the empty line ending the header section starts; the end when the message is all header. */
    private static int headerEnd(byte[] data) {
        if (data.length >= 2 && data[0] == '\r' && data[1] == '\n') {
            return 0;
        }
        for (int i = 0; i + 3 < data.length; i++) {
            if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n') {
                return i + 2;
            }
        }
        return data.length;
    }
}
