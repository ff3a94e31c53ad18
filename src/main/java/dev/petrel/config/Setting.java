package dev.petrel.config;

/** A raw option value as written, remembered with its line so that late validation can still point at it. */
record Setting(String name, String value, int line) {
    /** True for a bare {@code name} / {@code no_name} line, which only booleans may use. */
    boolean bare() {
        return value == null;
    }
}
