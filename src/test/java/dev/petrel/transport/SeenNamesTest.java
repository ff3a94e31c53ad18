package dev.petrel.transport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class SeenNamesTest {
    private static final String NAME = "1700000000.1abcde-000000-00000000_0a1b2c3d.petrel.test";

    @TempDir
    Path cur;

    @Test
    void aClientsSuffixIsNotPartOfTheName() {
        assertThat(SeenNames.baseName(NAME + ":2,S")).isEqualTo(NAME);
        assertThat(SeenNames.baseName(NAME + ",S=1234,W=1250:2,RS")).isEqualTo(NAME);
        assertThat(SeenNames.baseName(NAME + "!2,S")).isEqualTo(NAME);
        assertThat(SeenNames.baseName(NAME)).isEqualTo(NAME);
        assertThat(SeenNames.baseName(NAME + "0:2,S")).isNotEqualTo(NAME);
    }

    @Test
    void aKeptListingIsReadAgainOnceTheDirectoryChanges() throws Exception {
        SeenNames seen = new SeenNames();
        Files.createFile(cur.resolve("other:2,S"));
        Files.setLastModifiedTime(cur, FileTime.from(Instant.now().minusSeconds(60)));
        assertThat(seen.contains(cur, NAME)).isFalse(); // kept: the directory's time is settled

        Files.createFile(cur.resolve(NAME + ":2,S"));    // a client moves our message in: a new time
        assertThat(seen.contains(cur, NAME)).isTrue();
    }

    @Test
    void aListingOfADirectoryChangedJustNowIsNotKept() throws Exception {
        SeenNames seen = new SeenNames();
        FileTime recent = FileTime.from(Instant.now());
        Files.setLastModifiedTime(cur, recent);
        assertThat(seen.contains(cur, NAME)).isFalse();

        // A change within the same clock tick leaves the directory's time as it was; only not keeping helps.
        Files.createFile(cur.resolve(NAME + ":2,S"));
        Files.setLastModifiedTime(cur, recent);
        assertThat(seen.contains(cur, NAME)).isTrue();
    }
}
