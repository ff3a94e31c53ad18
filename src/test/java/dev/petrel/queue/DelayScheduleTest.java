package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelayScheduleTest {
    private static Duration h(long hours) {
        return Duration.ofHours(hours);
    }

    @Test
    void eachTimeThenTheLastIntervalRepeats() {
        DelaySchedule s = new DelaySchedule(List.of(h(4), h(8), h(24)));
        assertThat(s.due(h(3))).isZero();
        assertThat(s.due(h(4))).isEqualTo(1);
        assertThat(s.due(h(9))).isEqualTo(2);
        assertThat(s.due(h(24))).isEqualTo(3);
        assertThat(s.due(h(39))).isEqualTo(3);
        assertThat(s.due(h(40))).isEqualTo(4); // every 16h after the last: 24 - 8
    }

    @Test
    void aSingleTimeIsTheRepeatIntervalAndZeroOrNothingMeansNever() {
        DelaySchedule s = new DelaySchedule(List.of(h(6)));
        assertThat(s.due(h(5))).isZero();
        assertThat(s.due(h(6))).isEqualTo(1);
        assertThat(s.due(h(13))).isEqualTo(2);
        assertThat(new DelaySchedule(List.of(Duration.ZERO)).due(h(1000))).isZero();
        assertThat(new DelaySchedule(List.of()).due(h(1000))).isZero();
        assertThat(new DelaySchedule(List.of(h(2), h(12), Duration.ofDays(99))).due(h(13))).isEqualTo(2);
    }
}
