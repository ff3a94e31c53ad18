package dev.petrel.server;

import dev.petrel.smtp.Reply;

/**
 * What handling a command decided: the reply, and whether the command was an error that counts against
 * the {@link ErrorBudget} and is logged as Exim logs it.
 *
 * @param what for a protocol error, Petrel's own words for it (Exim's {@code SMTP protocol error in "..."})
 */
record Outcome(Reply reply, Kind kind, String what) {
    enum Kind { OK, SYNTAX_ERROR, PROTOCOL_ERROR }

    static Outcome ok(Reply reply) {
        return new Outcome(reply, Kind.OK, null);
    }

    static Outcome ok(int code, String text) {
        return ok(Reply.of(code, text));
    }

    /** The argument could not be accepted; the log quotes the command line. */
    static Outcome syntaxError(Reply reply) {
        return new Outcome(reply, Kind.SYNTAX_ERROR, null);
    }

    static Outcome protocolError(Reply reply, String what) {
        return new Outcome(reply, Kind.PROTOCOL_ERROR, what);
    }

    static Outcome protocolError(int code, String text, String what) {
        return protocolError(Reply.of(code, text), what);
    }
}
