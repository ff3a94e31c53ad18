package dev.petrel.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server's input decoder as it behaves today, one read or one octet at a time. */
class SmtpInboundDecoderTest {
    private final SmtpInboundDecoder decoder = new SmtpInboundDecoder();
    /** A command line that makes the decoder pause as it is read, as the session does while it replies. */
    private String pauseOn = "";
    private final EmbeddedChannel ch = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof InboundEvent.CommandLine line && line.text().equals(pauseOn)) {
                decoder.pause();
            }
            ctx.fireChannelRead(msg);
        }
    });

    @AfterEach
    void noExceptionEscaped() {
        ch.checkException();
        ch.finishAndReleaseAll();
    }

    private void feed(String... reads) {
        for (String read : reads) {
            ch.writeInbound(Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1));
        }
    }

    /**
     * What came out, as text: command lines as themselves, content merged into one {@code C(...)} per run,
     * {@code END[flaws]} and {@code CHUNK-END}.
     */
    private List<String> events() {
        List<String> out = new ArrayList<>();
        StringBuilder content = null;
        for (Object e; (e = ch.readInbound()) != null; ) {
            if (e instanceof InboundEvent.Content c) {
                content = content == null ? new StringBuilder() : content;
                content.append(c.content().toString(StandardCharsets.ISO_8859_1));
                c.release();
                continue;
            }
            if (content != null) {
                out.add("C(" + content + ")");
                content = null;
            }
            out.add(switch (e) {
                case InboundEvent.CommandLine l -> l.text() + (l.tooLong() ? " [too long]" : "") + (l.bareLf() ? " [LF]" : "");
                case InboundEvent.DataEnd end -> "END" + end.flaws();
                case InboundEvent.ChunkEnd end -> "CHUNK-END";
                default -> throw new AssertionError(e);
            });
        }
        if (content != null) {
            out.add("C(" + content + ")");
        }
        return out;
    }

    @Test
    void commandLines() {
        feed("EHLO client.test\r\nMAIL FROM:<a@b.test>\r\n", "RCPT TO:<c@d.test>\r\n");
        assertThat(events()).containsExactly("EHLO client.test", "MAIL FROM:<a@b.test>", "RCPT TO:<c@d.test>");
    }

    @Test
    void aCommandEndedByLfAloneIsMarked() {
        feed("NOOP\nQUIT\r\n");
        assertThat(events()).containsExactly("NOOP [LF]", "QUIT");
    }

    @Test
    void aBareCrInsideACommandLineIsLeftInIt() {
        feed("NOOP\rQUIT\r\n");
        assertThat(events()).containsExactly("NOOP\rQUIT");
    }

    @Test
    void commandsSplitAtEveryOctet() {
        String input = "EHLO a\r\nMAIL FROM:<>\r\nRCPT TO:<x@y>\r\n";
        feed(input.split(""));
        assertThat(events()).containsExactly("EHLO a", "MAIL FROM:<>", "RCPT TO:<x@y>");
    }

    @Test
    void commandLineLimitIs512OctetsWithCrlf() {
        String longest = "NOOP " + "x".repeat(512 - 7);
        feed(longest + "\r\n", longest + "x\r\n", "QUIT\r\n");
        List<String> out = events();
        assertThat(out).hasSize(3);
        assertThat(out.get(0)).isEqualTo(longest);
        assertThat(out.get(1)).isEqualTo(longest.substring(0, 64) + " [too long]");
        assertThat(out.get(2)).isEqualTo("QUIT");
    }

    @Test
    void aLineWithoutEndIsDiscardedAsItComesThenReportedOnce() {
        feed("MAIL " + "y".repeat(600));
        assertThat(events()).isEmpty();
        assertThat(decoder.hasBufferedInput()).isFalse();
        feed("z".repeat(100_000), "zz\r\nQUIT\r\n");
        assertThat(events()).containsExactly("MAIL " + "y".repeat(59) + " [too long]", "QUIT");
    }

    @Test
    void dataIsUnstuffedAndEndsAtCrlfDotCrlf() {
        feed("DATA\r\n");
        assertThat(events()).containsExactly("DATA");
        decoder.expectData();
        feed("Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n");
        assertThat(events()).containsExactly("C(Subject: x\r\n\r\n.leading dot\r\n)", "END[]", "QUIT");
    }

    @Test
    void anEmptyMessage() {
        decoder.expectData();
        feed(".\r\n");
        assertThat(events()).containsExactly("END[]");
    }

    @Test
    void dataSplitAtEveryOctet() {
        String input = "a\r\n..b\r\n.c\r\n\r\n.\r\nNOOP\r\n";
        for (int cut = 1; cut < input.length(); cut++) {
            decoder.expectData();
            feed(input.substring(0, cut), input.substring(cut));
            assertThat(events()).as("cut at %d", cut).containsExactly("C(a\r\n.b\r\nc\r\n\r\n)", "END[]", "NOOP");
        }
        decoder.expectData();
        feed(input.split(""));
        assertThat(events()).containsExactly("C(a\r\n.b\r\nc\r\n\r\n)", "END[]", "NOOP");
    }

    @Test
    void onlyCrlfDotCrlfEndsData() {
        decoder.expectData();
        feed("a\n.\nb\r\n.\nc\n.\r\nMAIL FROM:<smuggled@x>\r\n");
        List<String> first = events();
        assertThat(first).singleElement().asString().startsWith("C(a\n").contains("MAIL FROM:<smuggled@x>");
        feed("\r\n.\r\n");
        assertThat(events()).containsExactly("C(\r\n)", "END[BARE_LF]");
    }

    @Test
    void flawsAreRecordedAndTheMessageStillReadToItsEnd() {
        decoder.expectData();
        feed("bare\rcr\r\nnul\0\r\n" + "l".repeat(999) + "\r\n.\r\nRSET\r\n");
        List<String> out = events();
        assertThat(out.get(1)).isEqualTo("END" + Set.of(DataFlaw.BARE_CR, DataFlaw.NUL, DataFlaw.LINE_TOO_LONG)
                .stream().sorted().toList());
        assertThat(out.get(2)).isEqualTo("RSET");
    }

    @Test
    void aTextLineOf998OctetsIsNoFlaw() {
        decoder.expectData();
        feed("l".repeat(998) + "\r\n.\r\n");
        assertThat(events().getLast()).isEqualTo("END[]");
        decoder.expectData();
        feed("." + "l".repeat(998) + "\r\n.\r\n"); // 999 on the wire with the stuffed dot
        assertThat(events().getLast()).isEqualTo("END[LINE_TOO_LONG]");
    }

    @Test
    void flawsBelongToOneMessage() {
        decoder.expectData();
        feed("bad\nline\r\n.\r\n");
        assertThat(events().getLast()).isEqualTo("END[BARE_LF]");
        decoder.expectData();
        feed("good\r\n.\r\n");
        assertThat(events()).containsExactly("C(good\r\n)", "END[]");
    }

    @Test
    void bdatChunksAreExactlyTheirSizeAndUntouched() {
        decoder.expectChunk(9);
        feed("a\r\n.\r\n\nb", "cQUIT\r\n");
        assertThat(events()).containsExactly("C(a\r\n.\r\n\nbc)", "CHUNK-END", "QUIT");
    }

    @Test
    void aChunkSplitAtEveryOctet() {
        decoder.expectChunk(5);
        feed("12345NOOP\r\n".split(""));
        assertThat(events()).containsExactly("C(12345)", "CHUNK-END", "NOOP");
    }

    @Test
    void anEmptyChunkIsNotReadAtAll() {
        assertThatThrownBy(() -> decoder.expectChunk(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pausedInputWaitsInOrderUntilResumed() {
        pauseOn = "MAIL FROM:<>";
        feed("MAIL FROM:<>\r\nRCPT TO:<a@b>\r\n");
        assertThat(events()).containsExactly("MAIL FROM:<>");
        assertThat(decoder.hasBufferedInput()).isTrue();
        assertThat(decoder.peekBuffered(8)).isEqualTo("RCPT TO:");
        feed("DATA\r\n");
        assertThat(events()).isEmpty();
        decoder.resume();
        ch.writeInbound(Unpooled.EMPTY_BUFFER);
        assertThat(events()).containsExactly("RCPT TO:<a@b>", "DATA");
        assertThat(decoder.hasBufferedInput()).isFalse();
    }

    @Test
    void aFloodWhilePausedStopsReading() {
        decoder.pause();
        feed("x".repeat(SmtpInboundDecoder.PAUSED_BUFFER_LIMIT));
        assertThat(ch.config().isAutoRead()).isTrue();
        feed("x");
        assertThat(ch.config().isAutoRead()).isFalse();
    }

    @Test
    void discardBufferedDropsEverythingWaiting() {
        pauseOn = "STARTTLS";
        feed("STARTTLS\r\nMAIL FROM:<injected@x>\r\n");
        assertThat(events()).containsExactly("STARTTLS");
        assertThat(decoder.discardBuffered()).isEqualTo("MAIL FROM:<injected@x>\r\n".length());
        decoder.resume();
        feed("EHLO again\r\n");
        assertThat(events()).containsExactly("EHLO again");
    }
}
