package dev.petrel.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first reading pass: physical lines to logical lines. Drops blank and {@code #} comment lines
 * (also in the middle of a continuation), joins lines ending in {@code \}, records macro definitions
 * and substitutes macros into later lines.
 *
 * <p>Two deliberate differences from Exim: macros are replaced as whole words only (Exim also replaces
 * inside longer words, a known trap), and macros are substituted in the joined logical line rather than
 * per physical line. {@code .include} and the {@code .ifdef} family are rejected.
 */
final class ConfigLines {
    record Line(int number, String text) {}

    private static final Pattern MACRO_DEFINITION = Pattern.compile("([A-Z][A-Za-z0-9_]*)\\s*(==?)(.*)");

    /** Builtin macros start with an underscore so that they cannot clash with an operator's. */
    private static final Map<String, String> BUILTIN = Map.of(
            "_RESUME_DECODE",
            "not requested or offered: 0x02 :client requested, no server ticket: 0x04 : 0x05 : 0x06 "
                    + ":client offered session, no server action: 0x08 :no client request: 0x0A "
                    + ":client requested new ticket, server provided: 0x0C :client offered session, not used: 0x0E "
                    + ":client offered session, server only provided new ticket: 0x10 :session resumed unasked: 0x12 "
                    + ":session resumed unasked: 0x14 : 0x15: 0x16 :session resumed: 0x18 :session resumed unasked: 0x1A "
                    + ":session resumed unasked: 0x1C :session resumed: 0x1E :session resumed, also new ticket");

    private ConfigLines() {}

    static List<Line> read(String text, String source) throws ConfigException {
        // Insertion order is the substitution order, which Exim defines as definition order.
        Map<String, Macro> macros = new LinkedHashMap<>();
        BUILTIN.forEach((name, value) -> macros.put(name, new Macro(name, value)));
        List<Line> out = new ArrayList<>();
        String[] physical = text.split("\r?\n", -1);
        int i = 0;
        while (i < physical.length) {
            int start = i + 1;
            String line = physical[i++].strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            StringBuilder logical = new StringBuilder();
            while (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1);
                line = null;
                while (i < physical.length) {
                    String next = physical[i++].strip();
                    if (!next.startsWith("#")) {
                        line = next;
                        break;
                    }
                }
                if (line == null) {
                    line = "";
                }
            }
            logical.append(line);
            String joined = logical.toString().strip();

            Matcher def = MACRO_DEFINITION.matcher(joined);
            if (def.matches()) {
                define(macros, def.group(1), def.group(2).equals("=="), substitute(def.group(3).strip(), macros), source, start);
                continue;
            }
            String expanded = substitute(joined, macros).strip();
            if (expanded.isEmpty() || expanded.startsWith("#")) {
                continue;
            }
            if (expanded.startsWith(".")) {
                throw new ConfigException(source, start, directiveError(expanded));
            }
            out.add(new Line(start, expanded));
        }
        return out;
    }

    private static final class Macro {
        final Pattern pattern;
        String value;

        Macro(String name, String value) {
            this.pattern = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(name) + "(?![A-Za-z0-9_])");
            this.value = value;
        }
    }

    private static void define(Map<String, Macro> macros, String name, boolean redefine, String value,
                                String source, int line) throws ConfigException {
        Macro existing = macros.get(name);
        if (existing != null && !redefine) {
            throw new ConfigException(source, line, "macro \"" + name + "\" is already defined (use == to redefine it)");
        }
        if (existing == null && redefine) {
            throw new ConfigException(source, line, "macro \"" + name + "\" is not defined yet, so cannot be redefined with ==");
        }
        if (existing != null) {
            existing.value = value;
        } else {
            macros.put(name, new Macro(name, value));
        }
    }

    private static String substitute(String line, Map<String, Macro> macros) {
        String s = line;
        for (Macro m : macros.values()) {
            s = m.pattern.matcher(s).replaceAll(Matcher.quoteReplacement(m.value));
        }
        return s;
    }

    private static String directiveError(String line) {
        String directive = line.split("\\s+", 2)[0];
        return switch (directive) {
            case ".include", ".include_if_exists" ->
                    "\"" + directive + "\" is not supported: Petrel reads a single configuration file";
            case ".ifdef", ".ifndef", ".elifdef", ".elifndef", ".else", ".endif" ->
                    "conditional directive \"" + directive + "\" is not supported";
            default -> "unknown directive \"" + directive + "\"";
        };
    }
}
