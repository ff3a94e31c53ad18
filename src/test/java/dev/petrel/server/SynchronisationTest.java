package dev.petrel.server;

import dev.petrel.smtp.Verb;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** RFC 2920 and PIPECONNECT rules, and Exim's L field, without a connection. */
class SynchronisationTest {
    private static final Capabilities PIPELINING = new Capabilities(true, true, false, false, false, 0);
    private static final Capabilities PIPECONNECT = new Capabilities(true, true, true, false, false, 0);

    @Test
    void earlyTalkerIsRefusedUnlessItMayPipelineEarly() {
        Synchronisation plain = new Synchronisation(false, true);
        assertThat(plain.bannerSent()).isFalse();
        assertThat(plain.earlyInputAllowed()).isFalse();
        Synchronisation early = new Synchronisation(true, true);
        assertThat(early.earlyInputAllowed()).isTrue();
        assertThat(early.lField(PIPECONNECT)).isEqualTo("L*-");
    }

    @Test
    void bannerIsRemembered() {
        Synchronisation s = new Synchronisation(false, true);
        s.bannerWritten();
        assertThat(s.bannerSent()).isTrue();
    }

    @Test
    void groupEndingVerbsMustBeLastOfTheInput() {
        Synchronisation s = new Synchronisation(false, true);
        assertThat(s.inStep(Verb.MAIL, true)).isTrue();
        assertThat(s.inStep(Verb.RCPT, true)).isTrue();
        assertThat(s.inStep(Verb.EHLO, true)).isFalse();
        assertThat(s.inStep(Verb.DATA, true)).isFalse();
        assertThat(s.inStep(Verb.NOOP, true)).isFalse();
    }

    @Test
    void withoutPipeliningEveryCommandMustBeLast() {
        Synchronisation s = new Synchronisation(false, true);
        assertThat(s.inStep(Verb.MAIL, false)).isFalse();
        assertThat(s.inStep(Verb.RSET, false)).isFalse();
    }

    @Test
    void smtpEnforceSyncOffLetsEverythingThrough() {
        Synchronisation s = new Synchronisation(false, false);
        assertThat(s.inStep(Verb.EHLO, false)).isTrue();
        assertThat(s.inStep(Verb.DATA, true)).isTrue();
        assertThat(s.lField(PIPELINING)).isEqualTo("L");
    }

    @Test
    void earlyPipeliningCoversEhloUpToTheFirstDataButNeverQuitOrData() {
        Synchronisation s = new Synchronisation(true, true);
        s.bannerWritten();
        assertThat(s.lField(PIPECONNECT)).isEqualTo("L.-");
        assertThat(s.inStep(Verb.EHLO, true)).isTrue();
        assertThat(s.lField(PIPECONNECT)).isEqualTo("L*");
        assertThat(s.inStep(Verb.QUIT, true)).isFalse();
        assertThat(s.inStep(Verb.DATA, true)).isFalse();
        assertThat(s.inStep(Verb.NOOP, true)).isTrue();
        s.messageStarted();
        assertThat(s.inStep(Verb.NOOP, true)).isFalse();
    }

    @Test
    void lFieldDescribesEachMessageApartAndIsAbsentWithoutPipelining() {
        Synchronisation s = new Synchronisation(false, true);
        assertThat(s.lField(Capabilities.NONE)).isNull();
        assertThat(s.lField(PIPELINING)).isEqualTo("L-");
        s.inStep(Verb.RCPT, true);
        assertThat(s.lField(PIPELINING)).isEqualTo("L");
        s.messageEnded();
        assertThat(s.lField(PIPELINING)).isEqualTo("L-");
    }
}
