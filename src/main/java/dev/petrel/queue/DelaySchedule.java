package dev.petrel.queue;

import java.time.Duration;
import java.util.List;

/**
 * When delay warnings fall due, from Exim's {@code delay_warning}: after each time in the list (counted from
 * arrival), then every interval between the last two times, or every last time when it is the only one. An
 * empty list, or a lone zero, sends none.
 */
record DelaySchedule(List<Duration> times) {

    DelaySchedule {
        times = List.copyOf(times);
    }

    /** How many warnings a message this old should have had by now. */
    int due(Duration age) {
        if (times.isEmpty() || (times.size() == 1 && times.getFirst().isZero())) {
            return 0;
        }
        Duration last = times.getLast();
        if (age.compareTo(last) < 0) {
            return (int) times.stream().filter(t -> t.compareTo(age) <= 0).count();
        }
        Duration interval = times.size() == 1 ? last : last.minus(times.get(times.size() - 2));
        if (interval.isNegative() || interval.isZero()) {
            return times.size(); // a list that does not grow at its end repeats nothing
        }
        long more = age.minus(last).toMillis() / interval.toMillis();
        return (int) Math.min(Integer.MAX_VALUE / 2, times.size() + more);
    }
}
