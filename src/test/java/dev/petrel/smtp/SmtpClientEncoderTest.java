package dev.petrel.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.EncoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmtpClientEncoderTest {
    private final EmbeddedChannel ch = new EmbeddedChannel(new SmtpClientEncoder());

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    /** Writes each message and returns what went out, one string per buffer written. */
    private List<String> write(ClientOutput... messages) {
        for (ClientOutput m : messages) {
            ch.writeOutbound(m);
        }
        ch.checkException();
        List<String> out = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.add(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out;
    }

    private String data(String... pieces) {
        List<ClientOutput> texts = new ArrayList<>();
        for (int i = 0; i < pieces.length; i++) {
            texts.add(new MessageText(text(pieces[i]), i == pieces.length - 1));
        }
        return String.join("", write(texts.toArray(ClientOutput[]::new)));
    }

    @Test
    void commandsAreCrlfLines() {
        assertThat(write(SmtpCommand.of(Verb.EHLO, "client.test"), SmtpCommand.of(Verb.MAIL, "FROM:<a@b.test> SIZE=12"),
                SmtpCommand.of(Verb.STARTTLS), SmtpCommand.of(Verb.QUIT)))
                .containsExactly("EHLO client.test\r\n", "MAIL FROM:<a@b.test> SIZE=12\r\n", "STARTTLS\r\n", "QUIT\r\n");
        assertThat(write(SmtpCommand.of(Verb.RCPT, "TO:<j\u00f6rg@b.test>")))
                .containsExactly(new String("RCPT TO:<j\u00f6rg@b.test>\r\n".getBytes(StandardCharsets.UTF_8),
                        StandardCharsets.ISO_8859_1));
    }

    @Test
    void anArgumentWithCrLfOrNulIsRefused() {
        for (String bad : List.of("TO:<a@b>\r\nDATA", "TO:<a@b>\nDATA", "TO:<a@b>\rDATA", "TO:<a\0@b>")) {
            assertThatThrownBy(() -> SmtpCommand.of(Verb.RCPT, bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("CR, LF or NUL");
        }
        assertThatThrownBy(() -> SmtpCommand.of(Verb.UNKNOWN, "")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCommandBuiltAroundTheCheckFailsItsWriteAndSendsNothing() {
        ChannelFuture f = ch.writeOneOutbound(new SmtpCommand(Verb.RCPT, "x", "RCPT TO:<a@b>\r\nRCPT TO:<evil@c>"));
        ch.flushOutbound();
        assertThat(f.isSuccess()).isFalse();
        assertThat(f.cause()).isInstanceOf(EncoderException.class).hasRootCauseInstanceOf(IllegalArgumentException.class);
        assertThat((Object) ch.readOutbound()).isNull();
    }

    @Test
    void aPipelinedGroupIsOneBuffer() {
        ByteBuf body = text("Subject: x\r\n\r\nhi\r\n");
        CommandGroup group = CommandGroup.of(SmtpCommand.of(Verb.EHLO, "c.test"), SmtpCommand.of(Verb.MAIL, "FROM:<>"),
                SmtpCommand.of(Verb.RCPT, "TO:<a@b.test>"), new BdatChunk(body, true));
        assertThat(group.replies()).isEqualTo(4);
        assertThat(write(group)).containsExactly(
                "EHLO c.test\r\nMAIL FROM:<>\r\nRCPT TO:<a@b.test>\r\nBDAT 18 LAST\r\nSubject: x\r\n\r\nhi\r\n");
        assertThat(body.refCnt()).isZero();
    }

    @Test
    void aGroupWithABadCommandSendsNothingAndReleasesItsParts() {
        ByteBuf body = text("x\r\n");
        ChannelFuture f = ch.writeOneOutbound(CommandGroup.of(SmtpCommand.of(Verb.MAIL, "FROM:<>"),
                new SmtpCommand(Verb.RCPT, "", "RCPT TO:<a@b>\nDATA"), new BdatChunk(body, true)));
        ch.flushOutbound();
        assertThat(f.isSuccess()).isFalse();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(body.refCnt()).isZero();
        assertThatThrownBy(() -> CommandGroup.of()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void dataIsDotStuffedAndEndedOnce() {
        assertThat(data("a\r\n.b\r\n..c\r\n.\r\nd\r\n")).isEqualTo("a\r\n..b\r\n...c\r\n..\r\nd\r\n.\r\n");
        assertThat(data(".starts with a dot\r\n")).isEqualTo("..starts with a dot\r\n.\r\n");
        assertThat(data("no final line end")).isEqualTo("no final line end\r\n.\r\n");
        assertThat(data("")).isEqualTo(".\r\n");
        assertThat(data("a.b\r\n. \r\n")).isEqualTo("a.b\r\n.. \r\n.\r\n");
    }

    @Test
    void everyLineEndBecomesCrlf() {
        assertThat(data("a\nb\rc\r\nd")).isEqualTo("a\r\nb\r\nc\r\nd\r\n.\r\n");
        assertThat(data("a\r\r\nb\n\nc")).isEqualTo("a\r\n\r\nb\r\n\r\nc\r\n.\r\n");
        assertThat(data("\n.\n")).isEqualTo("\r\n..\r\n.\r\n");
        assertThat(data("a\r\n.\nMAIL FROM:<x@y>\r\n")).isEqualTo("a\r\n..\r\nMAIL FROM:<x@y>\r\n.\r\n");
    }

    @Test
    void lineEndsAndDotsSplitAcrossPieces() {
        assertThat(data("a\r", "\nb")).isEqualTo("a\r\nb\r\n.\r\n");
        assertThat(data("a\r", "\n.x")).isEqualTo("a\r\n..x\r\n.\r\n");
        assertThat(data("a\r", ".x")).isEqualTo("a\r\n..x\r\n.\r\n");
        assertThat(data("a\r\n", ".", "x")).isEqualTo("a\r\n..x\r\n.\r\n");
        assertThat(data("a", ".x")).isEqualTo("a.x\r\n.\r\n");
        assertThat(data("a\r\n", "")).isEqualTo("a\r\n.\r\n");
        assertThat(data("a\r")).isEqualTo("a\r\n.\r\n");
        // the next message starts afresh
        assertThat(data("x\r")).isEqualTo("x\r\n.\r\n");
        assertThat(data("\n.y")).isEqualTo("\r\n..y\r\n.\r\n");
    }

    @Test
    void bdatFramesExactlyTheOctetsSent() {
        assertThat(write(new BdatChunk(text("abc\r\ndef"), false), new BdatChunk(text("ghi\r\n"), true)))
                .containsExactly("BDAT 8\r\nabc\r\ndef", "BDAT 5 LAST\r\nghi\r\n");
        assertThat(write(new BdatChunk(text("a\nb"), false), new BdatChunk(text("c"), true)))
                .containsExactly("BDAT 4\r\na\r\nb", "BDAT 3 LAST\r\nc\r\n");
        assertThat(write(new BdatChunk(text("a\r"), false), new BdatChunk(text("\n.b"), true)))
                .containsExactly("BDAT 3\r\na\r\n", "BDAT 4 LAST\r\n.b\r\n");
        assertThat(write(new BdatChunk(text(".\r\n"), true))).containsExactly("BDAT 3 LAST\r\n.\r\n");
        assertThat(write(new BdatChunk(Unpooled.EMPTY_BUFFER, true))).containsExactly("BDAT 0 LAST\r\n");
    }

    @Test
    void contentIsReleasedOnceWritten() {
        ByteBuf a = text("a\r\n");
        ByteBuf b = text("b\r\n");
        write(new MessageText(a, true), new BdatChunk(b, true));
        assertThat(a.refCnt()).isZero();
        assertThat(b.refCnt()).isZero();
    }

    /**
     * Random text in random pieces, sent as DATA and as BDAT, read back by Petrel's own server decoder: the
     * same canonical message both ways, with no flaw, and an end of data only at the end.
     */
    @Test
    void randomTextRoundTripsThroughTheServerDecoder() {
        Random random = new Random(11);
        char[] alphabet = {'.', '.', '\r', '\n', 'a', ' '};
        for (int round = 0; round < 500; round++) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(60); i > 0; i--) {
                s.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String message = s.toString();
            List<String> pieces = new ArrayList<>();
            for (int at = 0; at < message.length() || pieces.isEmpty(); ) {
                int n = Math.min(message.length() - at, random.nextInt(8));
                pieces.add(message.substring(at, at + n));
                at += n;
            }
            String canonical = message.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
            if (!canonical.isEmpty() && !canonical.endsWith("\r\n")) {
                canonical += "\r\n";
            }
            String wire = data(pieces.toArray(String[]::new));
            assertThat(wire).as("%s", pieces).doesNotContainPattern("\r(?!\n)|(?<!\r)\n");
            assertThat(readBackAsData(wire)).as("DATA of %s", pieces).isEqualTo(canonical);

            List<ClientOutput> chunks = new ArrayList<>();
            for (int i = 0; i < pieces.size(); i++) {
                chunks.add(new BdatChunk(text(pieces.get(i)), i == pieces.size() - 1));
            }
            assertThat(readBackAsChunks(write(chunks.toArray(ClientOutput[]::new)))).as("BDAT of %s", pieces)
                    .isEqualTo(canonical);
        }
    }

    private static String readBackAsData(String wire) {
        SmtpInboundDecoder decoder = new SmtpInboundDecoder();
        decoder.expectData();
        EmbeddedChannel server = new EmbeddedChannel(decoder);
        server.writeInbound(text(wire));
        StringBuilder content = new StringBuilder();
        int ends = 0;
        for (Object e; (e = server.readInbound()) != null; ) {
            switch (e) {
                case InboundEvent.Content c -> {
                    content.append(c.content().toString(StandardCharsets.ISO_8859_1));
                    c.release();
                }
                case InboundEvent.DataEnd end -> {
                    assertThat(end.flaws()).isEmpty();
                    ends++;
                }
                default -> throw new AssertionError(e);
            }
        }
        assertThat(ends).isEqualTo(1);
        server.finishAndReleaseAll();
        return content.toString();
    }

    private static String readBackAsChunks(List<String> buffers) {
        StringBuilder content = new StringBuilder();
        for (String wire : buffers) {
            int crlf = wire.indexOf("\r\n");
            String[] header = wire.substring(0, crlf).split(" ");
            assertThat(header[0]).isEqualTo("BDAT");
            String body = wire.substring(crlf + 2);
            assertThat(body).hasSize(Integer.parseInt(header[1]));
            content.append(body);
        }
        return content.toString();
    }
}
