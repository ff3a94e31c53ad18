package dev.petrel.config;

/**
 * A configuration error, located the way Exim locates them so that operators can jump straight
 * to the offending line: {@code FILE line N: reason}.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final int line;
    private final String reason;

    public ConfigException(String file, int line, String reason) {
        super(file + " line " + line + ": " + reason);
        this.file = file;
        this.line = line;
        this.reason = reason;
    }

    public String file() {
        return file;
    }

    public int line() {
        return line;
    }

    public String reason() {
        return reason;
    }
}
