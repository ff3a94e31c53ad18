package dev.petrel.transport;

import dev.petrel.config.EximList;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The small part of Exim's string expansion that transports need today: {@code $name} and {@code ${name}};
 * {@code \} escaping the next character, with {@code \n}, {@code \r} and {@code \t} for newline, return and
 * tab; and {@code ${listextract{number}{list}{string2}{string3}}}, which is how an operator turns
 * {@code $tls_out_resumption} into words ({@code ${listextract{$tls_out_resumption}{_RESUME_DECODE}}}).
 * Anything else that looks like an expansion item is an error rather than passed through, so that an option
 * written for full Exim fails loudly instead of delivering to a directory literally named {@code ${lc:...}}.
 */
public record Expansion(Map<String, String> variables) {

    /**
     * Exim's forced failure ({@code fail} in place of listextract's last argument): an option that allows it
     * (an item of {@code headers_add}) then has no effect, where any other failure defers the delivery.
     */
    public static final class ForcedFailure extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        ForcedFailure(String template) {
            super("forced failure in \"" + template + "\"");
        }
    }

    public Expansion {
        variables = Map.copyOf(variables);
    }

    public static Expansion forRecipient(Address address) {
        return new Expansion(Map.of("local_part", address.localPart(), "domain", address.domain()));
    }

    /**
     * The variables of a delivery to a remote host: {@code $primary_hostname}, {@code $host},
     * {@code $host_address}, and {@code $sending_ip_address} once the local address is known ({@code local}
     * not null).
     */
    public static Expansion forHost(String primaryHostname, RemoteHost host, InetAddress local) {
        Map<String, String> v = new HashMap<>();
        v.put("primary_hostname", primaryHostname);
        v.put("host", host.name());
        v.put("host_address", host.address().getHostAddress());
        if (local != null) {
            v.put("sending_ip_address", local.getHostAddress());
        }
        return new Expansion(v);
    }

    /** The same variables and more; {@code more} wins where a name is in both. */
    public Expansion with(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(variables);
        all.putAll(more);
        return new Expansion(all);
    }

    /** Whether {@code template} uses {@code $name} or {@code ${name}} (not escaped as {@code \$name}). */
    public static boolean mentions(String template, String name) {
        if (template == null) {
            return false;
        }
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '$') {
                int from = i + 1 < template.length() && template.charAt(i + 1) == '{' ? i + 2 : i + 1;
                int end = nameEnd(template, from);
                if (template.substring(from, end).equals(name)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * @throws ForcedFailure when the template asks for it
     * @throws IllegalArgumentException naming the problem, for the log line of a deferred delivery
     */
    public String expand(String template) {
        Parser p = new Parser(template, variables);
        StringBuilder out = new StringBuilder(template.length() + 32);
        p.text(out, false, false);
        return out.toString();
    }

    /**
     * One item of a transport option's list ({@code headers_add}, {@code headers_remove}), expanded; null for a
     * forced failure, which in Exim makes the item do nothing.
     *
     * @throws IllegalArgumentException naming the option, the item and the transport: defer the delivery
     */
    public String expandItem(String item, String option, String transport) {
        try {
            return expand(item);
        } catch (ForcedFailure e) {
            return null;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("failed to expand " + option + " item \"" + item + "\" in "
                    + transport + " transport: " + e.getMessage(), e);
        }
    }

    /** One pass over a template; {@code skip} parses a branch that is not taken without expanding it, as Exim does. */
    private static final class Parser {
        private final String t;
        private final Map<String, String> variables;
        private int i;

        Parser(String template, Map<String, String> variables) {
            this.t = template;
            this.variables = variables;
        }

        /** Up to the end, or, {@code inBraces}, up to and past the closing brace of an argument. */
        void text(StringBuilder out, boolean inBraces, boolean skip) {
            while (i < t.length()) {
                char c = t.charAt(i);
                if (c == '\\' && i + 1 < t.length()) {
                    char next = t.charAt(i + 1);
                    out.append(switch (next) {
                        case 'n' -> '\n';
                        case 'r' -> '\r';
                        case 't' -> '\t';
                        default -> next;
                    });
                    i += 2;
                } else if (c == '$') {
                    i++;
                    item(out, skip);
                } else if (c == '}' && inBraces) {
                    i++;
                    return;
                } else {
                    out.append(c);
                    i++;
                }
            }
            if (inBraces) {
                throw error("missing } at end of string");
            }
        }

        private void item(StringBuilder out, boolean skip) {
            int start = i - 1;
            boolean braced = i < t.length() && t.charAt(i) == '{';
            int from = braced ? i + 1 : i;
            int end = nameEnd(t, from);
            String name = t.substring(from, end);
            i = end;
            if (braced && name.equals("listextract")) {
                listextract(out, skip);
                return;
            }
            if (name.isEmpty() || braced && (end >= t.length() || t.charAt(end) != '}')) {
                throw error("unsupported item at offset " + start);
            }
            if (braced) {
                i++;
            }
            if (skip) {
                return;
            }
            String value = variables.get(name);
            if (value == null) {
                throw error("unknown variable name \"" + name + "\"");
            }
            out.append(value);
        }

        /** {@code ${listextract{number}{list}{string2}{string3}}}, just past {@code listextract}; string3 may be {@code fail}. */
        private void listextract(StringBuilder out, boolean skip) {
            String number = argument(skip);
            List<String> list = EximList.split(argument(skip));
            String value = null;
            if (!skip) {
                int n = number(number);
                int index = n < 0 ? list.size() + n : n - 1;
                value = n != 0 && index >= 0 && index < list.size() ? list.get(index) : null;
            }
            skipSpace();
            if (at('}')) {
                i++;
                if (value != null) {
                    out.append(value);
                }
                return;
            }
            Parser inner = value == null ? this : new Parser(t, withValue(value));
            inner.i = i;
            String found = inner.argument(skip || value == null);
            i = inner.i;
            skipSpace();
            boolean failForced = false;
            String otherwise = "";
            if (t.startsWith("fail", i)) {
                i += 4;
                failForced = true;
            } else if (at('{')) {
                otherwise = argument(skip || value != null);
            }
            skipSpace();
            if (!at('}')) {
                throw error("missing } at end of \"listextract\"");
            }
            i++;
            if (skip) {
                return;
            }
            if (value == null && failForced) {
                throw new ForcedFailure(t);
            }
            out.append(value != null ? found : otherwise);
        }

        private Map<String, String> withValue(String value) {
            Map<String, String> more = new HashMap<>(variables);
            more.put("value", value);
            return more;
        }

        /** One {@code {...}} argument, expanded (or only parsed, {@code skip}); white space before it is allowed. */
        private String argument(boolean skip) {
            skipSpace();
            if (!at('{')) {
                throw error("missing or misplaced { in \"listextract\"");
            }
            i++;
            StringBuilder arg = new StringBuilder();
            text(arg, true, skip);
            return arg.toString();
        }

        /** Decimal digits with an optional minus, white space around ignored; too large is out of range. */
        private int number(String text) {
            String s = text.strip();
            String digits = s.startsWith("-") ? s.substring(1) : s;
            if (digits.isEmpty() || !digits.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw error("first argument of \"listextract\" must be numeric (\"" + text + "\")");
            }
            long magnitude = digits.length() > 10 ? Long.MAX_VALUE : Long.parseLong(digits);
            int bounded = (int) Math.min(magnitude, Integer.MAX_VALUE);
            return s.startsWith("-") ? -bounded : bounded;
        }

        private void skipSpace() {
            while (i < t.length() && Character.isWhitespace(t.charAt(i))) {
                i++;
            }
        }

        private boolean at(char c) {
            return i < t.length() && t.charAt(i) == c;
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("failed to expand \"" + t + "\": " + what);
        }
    }

    private static int nameEnd(String template, int from) {
        int end = from;
        while (end < template.length() && isNameChar(template.charAt(end))) {
            end++;
        }
        return end;
    }

    private static boolean isNameChar(char c) {
        return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
    }
}
