package dev.petrel.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits an Exim list. Colon separates by default; {@code <X} at the start picks another separator
 * (so IPv6 can be written without doubling colons); a doubled separator stands for itself. Items are
 * trimmed, and only a trailing empty item is dropped — an empty item elsewhere is meaningful in host
 * and domain lists.
 */
public final class EximList {
    private EximList() {}

    public static List<String> split(String text) {
        return split(text, ':');
    }

    /** The same, for lists whose default separator is not a colon ({@code route_list}'s is {@code ;}). */
    public static List<String> split(String text, char defaultSeparator) {
        List<String> items = new ArrayList<>();
        if (text == null) {
            return items;
        }
        String s = text.strip();
        char sep = defaultSeparator;
        if (s.length() >= 2 && s.charAt(0) == '<' && isSeparatorChoice(s.charAt(1))) {
            sep = s.charAt(1);
            s = s.substring(2);
        }
        // Control-character separators cannot be escaped by doubling; two in a row enclose an empty item.
        boolean doubling = sep >= ' ' && sep != 0x7f;
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != sep) {
                current.append(c);
            } else if (doubling && i + 1 < s.length() && s.charAt(i + 1) == sep) {
                current.append(sep);
                i++;
            } else {
                items.add(current.toString().strip());
                current.setLength(0);
            }
        }
        String last = current.toString().strip();
        if (!last.isEmpty()) {
            items.add(last);
        }
        return items;
    }

    private static boolean isSeparatorChoice(char c) {
        boolean punctuation = c > ' ' && c < 0x7f && !Character.isLetterOrDigit(c);
        boolean control = c < ' ' || c == 0x7f;
        return punctuation || control;
    }
}
