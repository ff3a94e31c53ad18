package dev.petrel.transport;

import dev.petrel.config.EximList;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The generic transport option {@code headers_remove}: header fields left out of the message as the transport
 * writes it (the spool keeps them). As in Exim it is a colon-separated list of header names, each item
 * expanded on its own when the message is written; an empty result or a forced failure removes nothing, any
 * other failure defers the delivery; a name ending in {@code *} stands for every name it begins. Names match
 * without regard to case, and a field goes with its continuation lines. Only the message's own header section
 * is looked at: the lines {@code headers_add} adds come after, and stay.
 */
public final class HeadersRemove {
    private final List<String> items;
    private final String transport;

    /** @param option the option's value, null when unset */
    public HeadersRemove(String option, String transport) {
        this.items = option == null ? List.of() : EximList.split(option);
        this.transport = transport;
    }

    public boolean isEmpty() {
        return items.isEmpty();
    }

    public boolean mentions(String name) {
        return items.stream().anyMatch(item -> Expansion.mentions(item, name));
    }

    /**
     * {@code data} (CRLF lines, as spooled) without the named fields; {@code data} itself when none is there.
     *
     * @throws IllegalArgumentException when an item fails to expand (not a forced failure): defer the delivery
     */
    public byte[] apply(byte[] data, Expansion expansion) {
        List<String> names = names(expansion);
        if (names.isEmpty()) {
            return data;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length);
        int i = 0;
        boolean dropping = false;
        while (i < data.length) {
            int end = lineEnd(data, i);
            if (end - i == 2 && data[i] == '\r') {
                break; // the empty line: the header section is over
            }
            boolean continuation = data[i] == ' ' || data[i] == '\t';
            if (!continuation) {
                dropping = matches(fieldName(data, i, end), names);
            }
            if (!dropping) {
                out.write(data, i, end - i);
            }
            i = end;
        }
        if (out.size() == i) {
            return data;
        }
        out.write(data, i, data.length - i);
        return out.toByteArray();
    }

    private List<String> names(Expansion expansion) {
        List<String> names = new ArrayList<>();
        for (String item : items) {
            String name = expansion.expandItem(item, "headers_remove", transport);
            if (name == null) {
                continue;
            }
            name = name.strip();
            if (name.endsWith(":")) {
                name = name.substring(0, name.length() - 1).strip();
            }
            if (!name.isEmpty()) {
                names.add(name.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static boolean matches(String field, List<String> names) {
        if (field == null) {
            return false;
        }
        for (String name : names) {
            if (name.endsWith("*") ? field.startsWith(name.substring(0, name.length() - 1)) : field.equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The lowercased name of the field starting at {@code from}; null for a line that is no field. */
    private static String fieldName(byte[] data, int from, int end) {
        for (int i = from; i < end; i++) {
            if (data[i] == ':') {
                return new String(data, from, i - from, StandardCharsets.ISO_8859_1).strip().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    /** Just past the LF ending the line at {@code from}, or the end of the data. */
    private static int lineEnd(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                return i + 1;
            }
        }
        return data.length;
    }
}
