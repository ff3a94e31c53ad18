package dev.petrel.transport;

import java.util.Map;

/**
 * The small part of Exim's string expansion that transports need today: {@code $name} and {@code ${name}},
 * with {@code \} escaping the next character. Anything else that looks like an expansion item is an error
 * rather than passed through, so that an option written for full Exim fails loudly instead of delivering
 * to a directory literally named {@code ${lc:...}}.
 */
public record Expansion(Map<String, String> variables) {

    public Expansion {
        variables = Map.copyOf(variables);
    }

    public static Expansion forRecipient(Address address) {
        return new Expansion(Map.of("local_part", address.localPart(), "domain", address.domain()));
    }

    /** Whether {@code template} uses {@code $name} or {@code ${name}} (not escaped as {@code \$name}). */
    public static boolean mentions(String template, String name) {
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '$') {
                int from = i + 1 < template.length() && template.charAt(i + 1) == '{' ? i + 2 : i + 1;
                int end = from;
                while (end < template.length() && isNameChar(template.charAt(end))) {
                    end++;
                }
                if (template.substring(from, end).equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** @throws IllegalArgumentException naming the problem, for the log line of a deferred delivery */
    public String expand(String template) {
        StringBuilder out = new StringBuilder(template.length() + 32);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '\\' && i + 1 < template.length()) {
                out.append(template.charAt(i + 1));
                i += 2;
            } else if (c == '$') {
                i = variable(template, i + 1, out);
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private int variable(String template, int start, StringBuilder out) {
        boolean braced = start < template.length() && template.charAt(start) == '{';
        int from = braced ? start + 1 : start;
        int end = from;
        while (end < template.length() && isNameChar(template.charAt(end))) {
            end++;
        }
        String name = template.substring(from, end);
        if (name.isEmpty() || braced && (end >= template.length() || template.charAt(end) != '}')) {
            throw new IllegalArgumentException("failed to expand \"" + template + "\": unsupported item at offset "
                    + (start - 1));
        }
        String value = variables.get(name);
        if (value == null) {
            throw new IllegalArgumentException("failed to expand \"" + template + "\": unknown variable name \""
                    + name + "\"");
        }
        out.append(value);
        return braced ? end + 1 : end;
    }

    private static boolean isNameChar(char c) {
        return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
