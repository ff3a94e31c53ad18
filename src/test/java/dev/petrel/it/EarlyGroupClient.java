package dev.petrel.it;

import dev.petrel.smtp.BdatChunk;
import dev.petrel.smtp.ClientOutput;
import dev.petrel.smtp.CommandGroup;
import dev.petrel.smtp.Reply;
import dev.petrel.smtp.SmtpCommand;
import dev.petrel.smtp.Verb;
import dev.petrel.transport.smtp.ClientLoop;
import dev.petrel.transport.smtp.ClientSession;

import io.netty.buffer.Unpooled;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A client that hands the smtp transport's connect an early-pipelining group ({@code EHLO,MAIL,RCPT,BDAT LAST}
 * and the message), so that with TCP Fast Open it rides in the SYN. It runs in a JVM of its own because the
 * test's network namespace is only reachable from inside it. Prints one line: the TFO field (or "-"), then the
 * greeting's and every early reply's code.
 *
 * <p>Arguments: port, recipient.
 */
public final class EarlyGroupClient {
    private EarlyGroupClient() {}

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        byte[] text = "Subject: early\r\n\r\nin the SYN\r\n".getBytes(StandardCharsets.US_ASCII);
        ClientOutput group = new CommandGroup(List.of(SmtpCommand.of(Verb.EHLO, "client.test"),
                SmtpCommand.of(Verb.MAIL, "FROM:<early@client.test>"), SmtpCommand.of(Verb.RCPT, "TO:<" + args[1] + ">"),
                new BdatChunk(Unpooled.wrappedBuffer(text), true)));
        Duration timeout = Duration.ofSeconds(10);
        try (ClientSession session = ClientSession.connect(ClientLoop.group(), ClientLoop.channelType(ClientLoop.group()),
                new InetSocketAddress("127.0.0.1", port), "client.test", timeout, timeout, true, group)) {
            Reply greeting = session.greeting();
            StringBuilder line = new StringBuilder();
            List<Reply> replies = session.early();
            String tfo = session.connection().fastOpen();
            line.append(tfo == null ? "-" : tfo).append(' ').append(greeting.code());
            replies.forEach(r -> line.append(' ').append(r.code()));
            System.out.println(line);
            session.quit();
        }
        System.exit(0);
    }
}
