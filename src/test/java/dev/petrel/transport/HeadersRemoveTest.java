package dev.petrel.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HeadersRemoveTest {
    private static final String MESSAGE = "Received: from a\r\n\tby b\r\nX-Spam-Score: 3\r\nSubject: hi\r\n"
            + "x-spam-flag: YES\r\nX-Other: 1\r\n\r\nX-Spam-Score: in the body\r\n";
    private final Expansion expansion = new Expansion(Map.of("name", "Subject", "empty", ""));

    private String apply(String option, String message) {
        byte[] out = new HeadersRemove(option, "remote_smtp").apply(message.getBytes(StandardCharsets.UTF_8), expansion);
        return new String(out, StandardCharsets.UTF_8);
    }

    @Test
    void namedFieldsGoWithTheirContinuationsAndWithoutRegardToCase() {
        assertThat(apply("received : X-SPAM-SCORE", MESSAGE)).isEqualTo("Subject: hi\r\nx-spam-flag: YES\r\n"
                + "X-Other: 1\r\n\r\nX-Spam-Score: in the body\r\n");
    }

    @Test
    void aTrailingStarMatchesEveryNameItBegins() {
        assertThat(apply("X-Spam-*", MESSAGE)).isEqualTo("Received: from a\r\n\tby b\r\nSubject: hi\r\nX-Other: 1\r\n"
                + "\r\nX-Spam-Score: in the body\r\n");
    }

    @Test
    void itemsAreExpandedAndAnEmptyOrForcedFailureRemovesNothing() {
        assertThat(apply("$name", MESSAGE)).doesNotContain("Subject:");
        assertThat(apply("$empty : ${listextract{5}{a}{$value}fail}", MESSAGE)).isEqualTo(MESSAGE);
        assertThat(apply(null, MESSAGE)).isEqualTo(MESSAGE);
        assertThat(apply("X-Absent", MESSAGE)).isEqualTo(MESSAGE);
    }

    @Test
    void anExpansionFailureNamesTheItem() {
        assertThatThrownBy(() -> apply("$nope", MESSAGE))
                .hasMessageContaining("failed to expand headers_remove item \"$nope\" in remote_smtp transport");
    }
}
