package dev.petrel.server;

import dev.petrel.smtp.Verb;

/**
 * Whether the client waits for replies where it must (RFC 2920), and what the session learns from it for
 * Exim's {@code L} field. A client that may pipeline early (PIPECONNECT: pipelining_connect_advertise_hosts)
 * may send before the banner and, up to its first DATA or BDAT, send EHLO and what follows without waiting;
 * any other client that talks before the banner is an early talker and is refused.
 */
final class Synchronisation {
    private final boolean earlyAllowed;
    private final boolean enforce;
    private boolean bannerSent;
    private boolean earlyPipeliningUsed;
    private boolean dataSeen;
    /** Some command since the last message arrived while another's reply was pending. */
    private boolean pipelinedInMessage;

    /** @param enforce smtp_enforce_sync: whether input sent too soon ends the connection */
    Synchronisation(boolean earlyAllowed, boolean enforce) {
        this.earlyAllowed = earlyAllowed;
        this.enforce = enforce;
    }

    boolean earlyAllowed() {
        return earlyAllowed;
    }

    boolean bannerSent() {
        return bannerSent;
    }

    void bannerWritten() {
        bannerSent = true;
    }

    /**
     * A command arrived before the banner was written. True if the client may do that (the banner is then
     * written at once, ahead of the reply); false for an early talker, which gets Exim's 554.
     */
    boolean earlyInputAllowed() {
        if (earlyAllowed) {
            earlyPipeliningUsed = true;
        }
        return earlyAllowed;
    }

    /** DATA or BDAT was given: early pipelining ends there. */
    void messageStarted() {
        dataSeen = true;
    }

    /**
     * Input was already waiting behind {@code verb} when it was handled. True if that is allowed: the verb
     * need not end a group under PIPELINING, or the client pipelines early, or smtp_enforce_sync is off.
     */
    boolean inStep(Verb verb, boolean pipeliningAdvertised) {
        boolean groupEnd = verb.endsGroup() || !pipeliningAdvertised;
        boolean early = earlyAllowed && !dataSeen && verb != Verb.DATA && verb != Verb.QUIT;
        if (groupEnd && early && (verb == Verb.EHLO || verb == Verb.HELO)) {
            earlyPipeliningUsed = true;
        }
        if (!groupEnd || early || !enforce) {
            pipelinedInMessage = true;
            return true;
        }
        return false;
    }

    /** A message ended (accepted or not): the next L field describes only what follows. */
    void messageEnded() {
        pipelinedInMessage = false;
    }

    /** Exim's L field: L, then * (early pipelining used) or . (offered, not used), then - if not pipelined. */
    String lField(Capabilities offered) {
        if (!offered.pipelining()) {
            return null;
        }
        return "L" + (earlyPipeliningUsed ? "*" : offered.pipeconnect() ? "." : "")
                + (pipelinedInMessage ? "" : "-");
    }
}
