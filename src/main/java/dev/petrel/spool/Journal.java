package dev.petrel.spool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code ID-J} says about a message, read back: the recipients delivered (one address a line), and the
 * state that changes while it waits, as lines no address can be ({@code >} cannot start a bare address):
 * {@code >frozen}, {@code >thawed} (the last of them counts) and {@code >warned N} (delay warnings sent).
 * Appending keeps the message file itself unwritten after its commit, and a line a crash cut short is one
 * the next read ignores.
 */
record Journal(Set<String> delivered, boolean frozen, int warnings) {
    static final String FROZEN = ">frozen";
    static final String THAWED = ">thawed";
    static final String WARNED = ">warned ";

    static Journal read(Path file) throws IOException {
        List<String> lines;
        if (!Files.exists(file)) { // the usual case, and asking costs no exception
            return new Journal(Set.of(), false, 0);
        }
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Journal(Set.of(), false, 0);
        }
        Set<String> delivered = new HashSet<>();
        boolean frozen = false;
        int warnings = 0;
        for (String line : lines) {
            if (line.equals(FROZEN)) {
                frozen = true;
            } else if (line.equals(THAWED)) {
                frozen = false;
            } else if (line.startsWith(WARNED) && line.substring(WARNED.length()).matches("[0-9]{1,6}")) {
                warnings = Math.max(warnings, Integer.parseInt(line.substring(WARNED.length())));
            } else if (!line.startsWith(">")) {
                delivered.add(line);
            }
        }
        return new Journal(Set.copyOf(delivered), frozen, warnings);
    }
}
