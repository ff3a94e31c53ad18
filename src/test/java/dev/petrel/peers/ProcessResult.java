package dev.petrel.peers;

import java.time.Duration;
import java.util.List;

/** The outcome of one bounded run of an external peer program (see {@link Peers}). */
public record ProcessResult(List<String> command, int exitCode, String stdout, String stderr,
                            boolean timedOut, Duration elapsed) {

    /** True when the program exited with status 0 before its timeout. */
    public boolean ok() {
        return !timedOut && exitCode == 0;
    }

    /** Returns this result, or throws with the command, status and output when {@link #ok()} is false. */
    public ProcessResult requireOk() {
        if (!ok()) {
            throw new IllegalStateException("peer command failed: " + this);
        }
        return this;
    }

    public List<String> stdoutLines() {
        return stdout.lines().toList();
    }

    @Override
    public String toString() {
        return "ProcessResult{command=" + command + ", exitCode=" + exitCode + ", timedOut=" + timedOut
                + ", elapsed=" + elapsed.toMillis() + "ms"
                + "\n--- stdout ---\n" + tail(stdout) + "\n--- stderr ---\n" + tail(stderr) + "\n}";
    }

    private static String tail(String s) {
        return s.length() <= 8000 ? s : "..." + s.substring(s.length() - 8000);
    }
}
