package dev.petrel.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SmtpReplyDecoderTest {
    private static final String EHLO = "250-mx.test Hello\r\n250-PIPELINING\r\n250-SIZE 52428800\r\n250 CHUNKING\r\n";

    /** Feeds the pieces as separate reads and returns everything decoded; no exception may escape. */
    private static List<ReplyEvent> decode(String... reads) {
        EmbeddedChannel ch = new EmbeddedChannel(new SmtpReplyDecoder());
        for (String read : reads) {
            ch.writeInbound(Unpooled.copiedBuffer(read, StandardCharsets.ISO_8859_1));
        }
        ch.checkException();
        List<ReplyEvent> out = drain(ch);
        ch.finishAndReleaseAll();
        return out;
    }

    private static List<ReplyEvent> drain(EmbeddedChannel ch) {
        List<ReplyEvent> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((ReplyEvent) o);
        }
        return out;
    }

    private static MalformedReply malformed(String... reads) {
        List<ReplyEvent> out = decode(reads);
        assertThat(out).as("decoded from %s", List.of(reads)).hasSize(1);
        assertThat(out.getFirst()).isInstanceOf(MalformedReply.class);
        return (MalformedReply) out.getFirst();
    }

    @Test
    void singleAndMultiLineReplies() {
        assertThat(decode("220 mx.test ESMTP\r\n")).containsExactly(Reply.of(220, "mx.test ESMTP"));
        assertThat(decode(EHLO)).containsExactly(
                new Reply(250, List.of("mx.test Hello", "PIPELINING", "SIZE 52428800", "CHUNKING")));
    }

    @Test
    void pipelinedRepliesInOneReadComeOutInOrder() {
        assertThat(decode("220 hi\r\n" + EHLO + "250 2.1.0 OK\r\n550 5.1.1 no\r\n354 go\r\n"))
                .extracting(e -> ((Reply) e).code()).containsExactly(220, 250, 250, 550, 354);
    }

    @Test
    void replySplitAtEveryOctetDecodesTheSame() {
        String stream = "220-first\r\n220 second\r\n" + EHLO + "451 4.3.0 later\r\n";
        List<ReplyEvent> whole = decode(stream);
        assertThat(whole).hasSize(3);
        for (int cut = 1; cut < stream.length(); cut++) {
            assertThat(decode(stream.substring(0, cut), stream.substring(cut))).as("cut at %d", cut).isEqualTo(whole);
        }
        assertThat(decode(stream.split(""))).isEqualTo(whole);
    }

    @Test
    void toleratesWhatRealServersSend() {
        assertThat(decode("250\r\n")).containsExactly(Reply.of(250, ""));
        assertThat(decode("250 \r\n")).containsExactly(Reply.of(250, ""));
        assertThat(decode("250-\r\n250 last\r\n")).containsExactly(new Reply(250, List.of("", "last")));
        assertThat(decode("250-a\n250 b\n")).containsExactly(new Reply(250, List.of("a", "b")));
        assertThat(decode("250 spaces kept  \r\n")).containsExactly(Reply.of(250, "spaces kept  "));
        assertThat(decode(new String("250 caf\u00e9\r\n".getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1)))
                .containsExactly(Reply.of(250, "caf\u00e9"));
    }

    @Test
    void aLineOf512OctetsWithItsCrlfIsTheLongestAccepted() {
        String text = "x".repeat(512 - 6);
        assertThat(decode("250 " + text + "\r\n")).containsExactly(Reply.of(250, text));
        assertThat(malformed("250 " + text + "x\r\n").reason()).contains("longer than 512");
    }

    @Test
    void aLongLineIsRefusedAsSoonAs512OctetsArriveWithoutALineEnd() {
        EmbeddedChannel ch = new EmbeddedChannel(new SmtpReplyDecoder());
        ch.writeInbound(Unpooled.copiedBuffer("250 " + "y".repeat(507), StandardCharsets.US_ASCII));
        assertThat(drain(ch)).isEmpty();
        ch.writeInbound(Unpooled.copiedBuffer("y".repeat(89), StandardCharsets.US_ASCII)); // 600 octets so far
        List<ReplyEvent> out = drain(ch);
        assertThat(out).singleElement().isInstanceOf(MalformedReply.class);
        assertThat(((MalformedReply) out.getFirst()).received()).startsWith("250 yyy").hasSize(64);
        ch.checkException();
        ch.finishAndReleaseAll();
    }

    @Test
    void withoutAThreeDigitCode() {
        assertThat(malformed("25\r\n").reason()).isEqualTo("reply without a 3-digit code");
        assertThat(malformed("\r\n").reason()).isEqualTo("reply without a 3-digit code");
        assertThat(malformed("ab0 x\r\n").reason()).isEqualTo("reply without a 3-digit code");
        assertThat(malformed("2500 x\r\n").reason()).isEqualTo("reply code not followed by a space or a hyphen");
        assertThat(malformed("250x\r\n").reason()).isEqualTo("reply code not followed by a space or a hyphen");
        assertThat(malformed("199 x\r\n").reason()).isEqualTo("reply code outside 200-599");
        assertThat(malformed("600 x\r\n").reason()).isEqualTo("reply code outside 200-599");
        assertThat(malformed("HTTP/1.1 400 Bad Request\r\n").received()).isEqualTo("HTTP/1.1 400 Bad Request\r\n");
    }

    @Test
    void mixedCodesInsideOneReply() {
        MalformedReply bad = malformed("250-a\r\n251 b\r\n");
        assertThat(bad.reason()).isEqualTo("reply code 251 inside a 250 reply");
        assertThat(bad.received()).isEqualTo("251 b\r\n");
        assertThat(malformed("250-a\r\n550-b\r\n250 c\r\n").reason()).contains("550 inside a 250");
    }

    @Test
    void nulInAReply() {
        assertThat(malformed("250 a\0b\r\n").reason()).isEqualTo("NUL in a reply");
        assertThat(malformed("250-ok\r\n250 \0\r\n").reason()).isEqualTo("NUL in a reply");
    }

    @Test
    void endlessContinuationStopsAtTheLineLimit() {
        EmbeddedChannel ch = new EmbeddedChannel(new SmtpReplyDecoder());
        List<ReplyEvent> out = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ch.writeInbound(Unpooled.copiedBuffer("250-more\r\n", StandardCharsets.US_ASCII));
            out.addAll(drain(ch));
            if (i == SmtpReplyDecoder.MAX_LINES - 1) {
                assertThat(out).as("a reply of %d lines is still allowed", i + 1).isEmpty();
            }
        }
        assertThat(out).singleElement().extracting(e -> ((MalformedReply) e).reason())
                .isEqualTo("reply longer than 100 lines or 16384 octets");
        ch.checkException();
        assertThat(ch.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aHundredLineReplyIsAccepted() {
        String reply = "250-x\r\n".repeat(99) + "250 end\r\n";
        assertThat(decode(reply)).singleElement().extracting(e -> ((Reply) e).lines().size()).isEqualTo(100);
    }

    @Test
    void longLinesStopAtTheOctetLimit() {
        String line = "250-" + "z".repeat(500) + "\r\n";
        assertThat(decode(line.repeat(32) + "250 end\r\n")).singleElement().isInstanceOf(Reply.class);
        assertThat(malformed(line.repeat(33) + "250 end\r\n").reason()).startsWith("reply longer than");
    }

    @Test
    void nothingIsDecodedAfterAMalformedReply() {
        assertThat(decode("250 ok\r\n", "2500 bad\r\n", "250 fine again\r\n", "221 bye\r\n"))
                .extracting(e -> e.getClass().getSimpleName()).containsExactly("Reply", "MalformedReply");
    }

    @Test
    void binaryGarbageGivesOneMalformedReplyAndNoException() {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] garbage = new byte[1 + random.nextInt(2000)];
            random.nextBytes(garbage);
            garbage[0] = (byte) ('A' + random.nextInt(26)); // never a digit: no chance of a valid reply
            EmbeddedChannel ch = new EmbeddedChannel(new SmtpReplyDecoder());
            for (int at = 0; at < garbage.length; ) {
                int n = Math.min(garbage.length - at, 1 + random.nextInt(300));
                ch.writeInbound(Unpooled.wrappedBuffer(garbage, at, n));
                at += n;
            }
            ch.checkException();
            ch.finish();
            List<ReplyEvent> out = drain(ch);
            assertThat(out).as("round %d", round).singleElement().isInstanceOf(MalformedReply.class);
        }
    }

    @Test
    void aCloseInsideAReplyIsReported() {
        EmbeddedChannel ch = new EmbeddedChannel(new SmtpReplyDecoder());
        ch.writeInbound(Unpooled.copiedBuffer("250-a\r\n250 b", StandardCharsets.US_ASCII));
        assertThat(drain(ch)).isEmpty();
        ch.finish();
        assertThat(drain(ch)).singleElement().extracting(e -> ((MalformedReply) e).reason())
                .isEqualTo("connection closed inside a reply");

        EmbeddedChannel between = new EmbeddedChannel(new SmtpReplyDecoder());
        between.writeInbound(Unpooled.copiedBuffer("250-a\r\n", StandardCharsets.US_ASCII));
        between.finish();
        assertThat(drain(between)).singleElement().isInstanceOf(MalformedReply.class);

        EmbeddedChannel clean = new EmbeddedChannel(new SmtpReplyDecoder());
        clean.writeInbound(Unpooled.copiedBuffer("221 bye\r\n", StandardCharsets.US_ASCII));
        clean.finish();
        assertThat(drain(clean)).containsExactly(Reply.of(221, "bye"));
    }

    @Test
    void cleartextBehindTheStartTlsReplyIsDiscardedUnread() {
        SmtpReplyDecoder decoder = new SmtpReplyDecoder();
        List<Object> seen = new ArrayList<>();
        int[] discarded = new int[1];
        EmbeddedChannel ch = new EmbeddedChannel(decoder, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add(msg);
                if (msg instanceof Reply r && r.code() == 220) {
                    discarded[0] = decoder.discardBuffered();
                }
            }
        });
        ch.writeInbound(Unpooled.copiedBuffer("220 go ahead\r\n250-injected\r\n250 AUTH PLAIN\r\n", StandardCharsets.US_ASCII));
        assertThat(seen).containsExactly(Reply.of(220, "go ahead"));
        assertThat(discarded[0]).isEqualTo("250-injected\r\n250 AUTH PLAIN\r\n".length());
        ch.writeInbound(Unpooled.copiedBuffer("250 after\r\n", StandardCharsets.US_ASCII));
        assertThat(seen).containsExactly(Reply.of(220, "go ahead"), Reply.of(250, "after"));
        ch.finishAndReleaseAll();
    }
}
