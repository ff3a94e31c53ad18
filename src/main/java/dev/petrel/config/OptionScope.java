package dev.petrel.config;

/**
 * Whose option is being read, for error messages in the words the parser has always used:
 * {@code main option "x" ...} in the main section, {@code router "r": option "x" ...} in a driver.
 *
 * @param prefix what comes before the option: empty, or {@code router "r": }
 * @param noun {@code main option} or {@code option}
 * @param unknownSuffix what an unknown option is unknown for: empty, or {@code for the accept driver}
 */
record OptionScope(String source, String prefix, String noun, String unknownSuffix) {

    static OptionScope main(String source) {
        return new OptionScope(source, "", "main option", "");
    }

    /** @param kind {@code router} or {@code transport} */
    static OptionScope driver(String source, String kind, String instance, String driver) {
        return new OptionScope(source, kind + " \"" + instance + "\": ", "option", " for the " + driver + " driver");
    }

    /** {@code main option "x"} or {@code router "r": option "x"}. */
    String subject(String option) {
        return prefix + noun + " \"" + option + "\"";
    }

    ConfigException error(int line, String reason) {
        return new ConfigException(source, line, reason);
    }
}
