package dev.petrel.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ResumptionTest {
    /** Every value, worked out by hand from the list in docs/behaviour.md, "_RESUME_DECODE" (item N is value N; 0 is out of range). */
    private static final Map<Integer, String> EXPECTED = Map.ofEntries(
            Map.entry(0x00, ""),
            Map.entry(0x01, "not requested or offered"),
            Map.entry(0x02, "0x02"),
            Map.entry(0x03, "client requested, no server ticket"),
            Map.entry(0x04, "0x04"),
            Map.entry(0x05, "0x05"),
            Map.entry(0x06, "0x06"),
            Map.entry(0x07, "client offered session, no server action"),
            Map.entry(0x08, "0x08"),
            Map.entry(0x09, "no client request"),
            Map.entry(0x0A, "0x0A"),
            Map.entry(0x0B, "client requested new ticket, server provided"),
            Map.entry(0x0C, "0x0C"),
            Map.entry(0x0D, "client offered session, not used"),
            Map.entry(0x0E, "0x0E"),
            Map.entry(0x0F, "client offered session, server only provided new ticket"),
            Map.entry(0x10, "0x10"),
            Map.entry(0x11, "session resumed unasked"),
            Map.entry(0x12, "0x12"),
            Map.entry(0x13, "session resumed unasked"),
            Map.entry(0x14, "0x14"),
            Map.entry(0x15, "0x15"),
            Map.entry(0x16, "0x16"),
            Map.entry(0x17, "session resumed"),
            Map.entry(0x18, "0x18"),
            Map.entry(0x19, "session resumed unasked"),
            Map.entry(0x1A, "0x1A"),
            Map.entry(0x1B, "session resumed unasked"),
            Map.entry(0x1C, "0x1C"),
            Map.entry(0x1D, "session resumed"),
            Map.entry(0x1E, "0x1E"),
            Map.entry(0x1F, "session resumed, also new ticket"));

    @Test
    void decodesAll32Values() {
        for (int bits = 0; bits < 32; bits++) {
            assertThat(Resumption.decode(bits)).as("value 0x%02X", bits).isEqualTo(EXPECTED.get(bits));
        }
    }

    @Test
    void listHas31ItemsAndOutOfRangeIsEmpty() {
        assertThat(Resumption.items()).isEqualTo(31);
        assertThat(Resumption.decode(32)).isEmpty();
        assertThat(Resumption.decode(-1)).isEmpty();
    }

    @Test
    void macroTextIsVerbatim() {
        assertThat(Resumption.RESUME_DECODE).startsWith("not requested or offered: 0x02 :client requested")
                .contains(": 0x14 : 0x15: 0x16 :session resumed: 0x18 :")
                .endsWith(": 0x1E :session resumed, also new ticket");
    }

    @Test
    void bitValues() {
        assertThat(new int[] {Resumption.SUPPORTED, Resumption.CLIENT_REQUESTED, Resumption.CLIENT_OFFERED,
                Resumption.SERVER_TICKET, Resumption.RESUMED}).containsExactly(1, 2, 4, 8, 16);
    }
}
