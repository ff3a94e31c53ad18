package dev.petrel.cli;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import dev.petrel.config.MainConfig;
import dev.petrel.log.MainLog;
import dev.petrel.queue.QueueRunner;
import dev.petrel.smtp.Mailbox;
import dev.petrel.smtp.SmtpSyntaxException;
import dev.petrel.spool.Envelope;
import dev.petrel.spool.MessageId;
import dev.petrel.spool.Reception;
import dev.petrel.spool.Spool;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;

@Command(name = "submit", description = "Read a message on standard input into the queue (sendmail-style), then deliver it.")
final class SubmitCommand implements Callable<Integer> {
    private static final DateTimeFormatter RFC_5322 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z",
            Locale.ROOT);

    @Mixin
    ConfigOption config;

    @Option(names = "-f", paramLabel = "SENDER", description = "Envelope sender (default: user@qualify_domain).")
    String sender;

    @Option(names = {"--queue-only", "-odq"}, description = "Only queue the message; the daemon delivers it.")
    boolean queueOnly;

    @Parameters(paramLabel = "RCPT", arity = "1..*", description = "Recipients.")
    List<String> recipients;

    @Override
    public Integer call() throws IOException, InterruptedException, ConfigException {
        Config loaded = config.load();
        MainConfig main = loaded.main();
        String user = System.getProperty("user.name");
        String qualify = main.qualifyDomain() != null ? main.qualifyDomain() : main.primaryHostname();
        String from = sender == null ? user + "@" + qualify : sender.replaceAll("^<|>$", "");
        List<String> rcpts = new ArrayList<>();
        try {
            if (!from.isEmpty()) {
                Mailbox.parse(from, true);
            }
            for (String r : recipients) {
                String address = r.contains("@") ? r : r + "@" + qualify;
                Mailbox.parse(address, true);
                rcpts.add(address);
            }
        } catch (SmtpSyntaxException e) {
            System.err.println("petrel: " + e.reply().lines().get(0));
            return 1;
        }
        byte[] body = toCrlf(System.in);
        try (MainLog log = MainLog.open(main.logFilePath(), main.logSelector());
             Spool spool = Spool.open(main.spoolDirectory(), MessageId.Format.of(main.messageIdFormat()))) {
            String id = spool.newMessageId();
            Reception reception = spool.receive(id);
            String date = ZonedDateTime.now().format(RFC_5322);
            StringBuilder added = new StringBuilder();
            added.append("Received: from ").append(user).append(" by ").append(main.primaryHostname())
                    .append(" with local (Petrel ").append(Version.NUMBER).append(")\r\n\t(envelope-from <")
                    .append(from).append(">)\r\n\tid ").append(id).append(";\r\n\t").append(date).append("\r\n");
            String headers = headerSection(body);
            if (!hasHeader(headers, "message-id")) {
                added.append("Message-Id: <").append(id).append('@').append(main.primaryHostname()).append(">\r\n");
            }
            if (!hasHeader(headers, "from")) {
                added.append("From: ").append(from.isEmpty() ? "<>" : from).append("\r\n");
            }
            if (!hasHeader(headers, "date")) {
                added.append("Date: ").append(date).append("\r\n");
            }
            reception.append(added.toString().getBytes(StandardCharsets.UTF_8));
            reception.append(body);
            try {
                reception.commit(Envelope.local(from, rcpts)).get();
            } catch (ExecutionException e) {
                System.err.println("petrel: cannot queue message: " + e.getCause().getMessage());
                return 1;
            }
            log.main(id + " <= " + (from.isEmpty() ? "<>" : from) + " U=" + user + " P=local S=" + reception.size()
                    + (log.selected("received_recipients") ? " for " + String.join(" ", rcpts) : ""));
            System.out.println(id);
            if (!queueOnly) {
                try (QueueRunner runner = new QueueRunner(loaded, spool, log, Duration.ofDays(1))) {
                    runner.submit(id);
                    QueueCommand.awaitIdle(runner);
                }
            }
        }
        return 0;
    }

    private static byte[] toCrlf(InputStream in) throws IOException {
        byte[] raw = in.readAllBytes();
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length + raw.length / 40 + 2);
        for (int i = 0; i < raw.length; i++) {
            byte b = raw[i];
            if (b == '\n' && (i == 0 || raw[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(b);
        }
        if (raw.length > 0 && raw[raw.length - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static String headerSection(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        return (end < 0 ? text : text.substring(0, end + 2)).toLowerCase(Locale.ROOT);
    }

    private static boolean hasHeader(String headers, String name) {
        return headers.startsWith(name + ":") || headers.contains("\r\n" + name + ":");
    }
}
