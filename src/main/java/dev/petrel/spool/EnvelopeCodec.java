package dev.petrel.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The envelope block at the head of a spool file: a first line naming the message, then one
 * {@code key value} line per field, then an empty line; the message data follows. Text, so that an
 * operator can read a spool file with {@code less}.
 */
final class EnvelopeCodec {
    private EnvelopeCodec() {
    }

    static byte[] encode(String id, Envelope e) {
        StringBuilder out = new StringBuilder(256);
        out.append(id).append("-H\n");
        out.append("sender <").append(e.sender()).append(">\n");
        out.append("received ").append(e.receivedAt().getEpochSecond()).append('\n');
        field(out, "helo", e.heloName());
        if (e.hostAddress() != null) {
            out.append("host ").append(e.hostAddress()).append(' ').append(e.hostPort()).append('\n');
        }
        field(out, "protocol", e.receivedProtocol());
        field(out, "tls", e.tlsCipher());
        MailOptions mail = e.mail();
        field(out, "body", mail.body() == null ? null : mail.body().keyword());
        if (mail.smtputf8()) {
            out.append("smtputf8\n");
        }
        if (mail.declaredSize() >= 0) {
            out.append("size ").append(mail.declaredSize()).append('\n');
        }
        field(out, "ret", mail.ret() == null ? null : mail.ret().name());
        field(out, "envid", mail.envid());
        for (int i = 0; i < e.recipients().size(); i++) {
            out.append("rcpt ").append(e.recipients().get(i)).append('\n');
            RecipientOptions o = e.recipientOptions().get(i);
            // The DSN parameters of the rcpt line above; files written before they were kept have none.
            if (!o.equals(RecipientOptions.NONE)) {
                out.append("dsn");
                if (o.notifyParameter() != null) {
                    out.append(" NOTIFY=").append(o.notifyParameter());
                }
                if (o.orcpt() != null) {
                    out.append(" ORCPT=").append(o.orcpt());
                }
                out.append('\n');
            }
        }
        out.append('\n');
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void field(StringBuilder out, String key, String value) {
        if (value != null) {
            out.append(key).append(' ').append(value).append('\n');
        }
    }

    /** What {@link #decode} found: the envelope and the offset of the message data. */
    record Decoded(Envelope envelope, long dataOffset) {
    }

    /** @param fileSize the whole file's, for the error an operator sees */
    static Decoded decode(String id, byte[] head, long fileSize) throws SpoolFormatException {
        try {
            return decode(id, head);
        } catch (IOException | RuntimeException e) {
            String detail = e instanceof IOException ? e.getMessage() : "has a malformed envelope line";
            throw new SpoolFormatException(id, fileSize, detail, e);
        }
    }

    private static Decoded decode(String id, byte[] head) throws IOException {
        int pos = 0;
        String sender = null;
        Instant received = null;
        String helo = null;
        String host = null;
        int port = 0;
        String protocol = null;
        String tls = null;
        List<String> rcpts = new ArrayList<>();
        List<RecipientOptions> rcptOptions = new ArrayList<>();
        MailOptions.Body body = null;
        boolean smtputf8 = false;
        long size = -1;
        MailOptions.Ret ret = null;
        String envid = null;
        boolean first = true;
        while (true) {
            int nl = indexOf(head, pos);
            if (nl < 0) {
                throw new IOException("has no complete envelope");
            }
            String line = new String(head, pos, nl - pos, StandardCharsets.UTF_8);
            pos = nl + 1;
            if (first) {
                if (!line.equals(id + "-H")) {
                    throw new IOException("does not start with its id line");
                }
                first = false;
                continue;
            }
            if (line.isEmpty()) {
                break;
            }
            int sp = line.indexOf(' ');
            String key = sp < 0 ? line : line.substring(0, sp);
            String value = sp < 0 ? "" : line.substring(sp + 1);
            switch (key) {
                case "sender" -> sender = value.substring(1, value.length() - 1);
                case "received" -> received = Instant.ofEpochSecond(Long.parseLong(value));
                case "helo" -> helo = value;
                case "host" -> {
                    int hs = value.lastIndexOf(' ');
                    host = value.substring(0, hs);
                    port = Integer.parseInt(value.substring(hs + 1));
                }
                case "protocol" -> protocol = value;
                case "tls" -> tls = value;
                case "rcpt" -> {
                    rcpts.add(value);
                    rcptOptions.add(RecipientOptions.NONE);
                }
                case "dsn" -> rcptOptions.set(rcpts.size() - 1, dsn(value));
                case "body" -> body = Objects.requireNonNull(MailOptions.Body.of(value));
                case "smtputf8" -> smtputf8 = true;
                case "size" -> size = Long.parseLong(value);
                case "ret" -> ret = MailOptions.Ret.valueOf(value);
                case "envid" -> envid = value;
                default -> {
                    // Written by a later version: ignoring it keeps old spools deliverable.
                }
            }
        }
        if (sender == null || received == null) {
            throw new IOException("lacks sender or time");
        }
        return new Decoded(new Envelope(sender, rcpts, received, helo, host, port, protocol, tls,
                new MailOptions(body, smtputf8, size, ret, envid), rcptOptions), pos);
    }

    private static RecipientOptions dsn(String value) {
        Set<RecipientOptions.Notify> notify = Set.of();
        String orcpt = null;
        for (String word : value.split(" ")) {
            if (word.startsWith("NOTIFY=")) {
                notify = Objects.requireNonNull(RecipientOptions.parseNotify(word.substring(7)));
            } else if (word.startsWith("ORCPT=")) {
                orcpt = word.substring(6);
            }
        }
        return new RecipientOptions(notify, orcpt);
    }

    private static int indexOf(byte[] data, int from) {
        for (int i = from; i < data.length; i++) {
            if (data[i] == '\n') {
                return i;
            }
        }
        return -1;
    }
}
