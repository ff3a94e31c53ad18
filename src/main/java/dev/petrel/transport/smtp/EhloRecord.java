package dev.petrel.transport.smtp;

import dev.petrel.smtp.Reply;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a server's EHLO offered, remembered for early pipelining in the {@code misc} hints database: the
 * cleartext set, and the set offered inside TLS (after STARTTLS, or on an implicit-TLS connection, where
 * the cleartext set is empty). Only the extensions the transport acts on are kept, never the banner or the
 * server's name. See docs/behaviour.md, "Early pipelining (PIPECONNECT)".
 *
 * <p>The value is text an operator can read in {@code petrel dumpdb misc}:
 * {@code clear: PIPELINING, PIPECONNECT, SIZE 52428800, STARTTLS; tls: PIPELINING, PIPECONNECT, CHUNKING}.
 */
record EhloRecord(Offer clear, Offer tls) {

    /** The key: {@code IP:PORT.EHLO}, or {@code [IPv6]:PORT.EHLO}. */
    static String key(InetAddress address, int port) {
        String ip = address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + port + ".EHLO";
    }

    /** The set a connection's plan depends on: inside TLS when TLS is used, else the cleartext one. */
    Offer used(boolean overTls) {
        return overTls ? tls : clear;
    }

    byte[] encode() {
        return ("clear: " + clear.text() + "; tls: " + tls.text()).getBytes(StandardCharsets.UTF_8);
    }

    /** @throws IllegalArgumentException for a value this version did not write */
    static EhloRecord decode(byte[] value) {
        String text = new String(value, StandardCharsets.UTF_8);
        int split = text.indexOf("; tls: ");
        if (!text.startsWith("clear: ") || split < 0) {
            throw new IllegalArgumentException("not an EHLO record: " + text);
        }
        return new EhloRecord(Offer.parse(text.substring(7, split)), Offer.parse(text.substring(split + 7)));
    }

    /**
     * One EHLO reply's extensions as recorded: the keyword upper-cased, its parameters kept (the SIZE
     * limit, AUTH mechanisms, LIMITS values), in the server's order. Equal offers are equal sets of lines.
     */
    record Offer(List<String> lines) {
        static final Offer NONE = new Offer(List.of());
        private static final Set<String> KEPT = Set.of("PIPELINING", "PIPECONNECT", "SIZE", "CHUNKING", "STARTTLS",
                "8BITMIME", "SMTPUTF8", "DSN", "AUTH", "LIMITS");
        /** A parameter is recorded only when it is plain: a hostile server cannot put separators in a record. */
        private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9=._+-]{1,64}");

        Offer {
            lines = List.copyOf(lines);
        }

        static Offer of(Reply ehlo) {
            if (ehlo == null || ehlo.code() != 250) {
                return NONE;
            }
            List<String> out = new ArrayList<>();
            for (String line : ehlo.lines().subList(1, ehlo.lines().size())) {
                String[] words = line.strip().split("\\s+");
                String keyword = words[0].toUpperCase(Locale.ROOT);
                if (!KEPT.contains(keyword)) {
                    continue;
                }
                StringBuilder kept = new StringBuilder(keyword);
                for (int i = 1; i < words.length; i++) {
                    if (PLAIN.matcher(words[i]).matches()) {
                        kept.append(' ').append(words[i]);
                    }
                }
                if (!out.contains(kept.toString())) {
                    out.add(kept.toString());
                }
            }
            return new Offer(out);
        }

        private static Offer parse(String text) {
            if (text.equals("none")) {
                return NONE;
            }
            List<String> out = new ArrayList<>();
            for (String line : text.split(", ")) {
                String keyword = line.split(" ")[0];
                if (!KEPT.contains(keyword)) {
                    throw new IllegalArgumentException("not an EHLO record: " + text);
                }
                out.add(line);
            }
            return new Offer(out);
        }

        String text() {
            return lines.isEmpty() ? "none" : String.join(", ", lines);
        }

        boolean offers(String keyword) {
            return lines.stream().anyMatch(l -> l.equals(keyword) || l.startsWith(keyword + " "));
        }

        /** Early pipelining is possible with this set: PIPECONNECT is only valid beside PIPELINING. */
        boolean pipeConnect() {
            return offers("PIPELINING") && offers("PIPECONNECT");
        }

        /** The same server, as far as the record goes: the same lines in any order. */
        boolean sameAs(Offer other) {
            return Set.copyOf(lines).equals(Set.copyOf(other.lines));
        }

        /** What the transaction acts on, as if this set had just been read from the server. */
        ServerExtensions extensions() {
            List<String> reply = new ArrayList<>(lines.size() + 1);
            reply.add("recorded");
            reply.addAll(lines);
            return ServerExtensions.of(new Reply(250, reply));
        }
    }
}
