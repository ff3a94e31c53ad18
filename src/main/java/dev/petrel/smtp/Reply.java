package dev.petrel.smtp;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * An SMTP reply: a code and one or more lines of text, each already carrying its enhanced code if any. The
 * server writes them; {@link SmtpReplyDecoder} reads them back from other servers.
 */
public record Reply(int code, List<String> lines) implements ReplyEvent {

    public Reply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
    }

    public static Reply of(int code, String text) {
        return new Reply(code, List.of(text));
    }

    /** Parses a reply written as Exim writes them in code, e.g. {@code "550 5.7.1 relay not permitted"}. */
    public static Reply parse(String codeAndText) {
        return of(Integer.parseInt(codeAndText.substring(0, 3)), codeAndText.length() > 4 ? codeAndText.substring(4) : "");
    }

    public boolean isPositive() {
        return code < 400;
    }

    /** Each line as sent: {@code 250-first}, ..., {@code 250 last}, without line ends. */
    public List<String> wireLines() {
        List<String> out = new ArrayList<>(lines.size());
        for (int i = 0; i < lines.size(); i++) {
            out.add(code + (i == lines.size() - 1 ? " " : "-") + lines.get(i));
        }
        return out;
    }

    /** The reply on the wire: {@code 250-first}, ..., {@code 250 last}, each ended by CRLF. */
    public byte[] encode() {
        StringBuilder out = new StringBuilder(64 * lines.size());
        for (int i = 0; i < lines.size(); i++) {
            out.append(code).append(i == lines.size() - 1 ? ' ' : '-').append(lines.get(i)).append("\r\n");
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The reply as Exim quotes it in log lines: the last line, with its code. */
    public String logText() {
        return code + " " + lines.get(lines.size() - 1);
    }
}
