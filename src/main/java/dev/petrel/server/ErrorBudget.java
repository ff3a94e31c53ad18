package dev.petrel.server;

/**
 * How many mistakes a client may make before it is dropped: smtp_max_unknown_commands for commands Petrel
 * does not know, smtp_max_synprot_errors for syntax and protocol errors. The two are counted apart, as Exim
 * does, for the whole connection.
 */
final class ErrorBudget {
    private final int maxUnknown;
    private final int maxSynprot;
    private int unknown;
    private int synprot;

    ErrorBudget(int maxUnknown, int maxSynprot) {
        this.maxUnknown = maxUnknown;
        this.maxSynprot = maxSynprot;
    }

    /** Counts an unrecognised command; true when that one is over the limit and the client must go. */
    boolean unknownCommandExhausts() {
        return ++unknown > maxUnknown;
    }

    /** Counts a syntax or protocol error; true when that one is over the limit and the client must go. */
    boolean protocolErrorExhausts() {
        return ++synprot > maxSynprot;
    }
}
