package dev.petrel.config;

import java.time.Duration;

/**
 * One rule of a retry line, Exim's {@code F,2h,15m}, {@code G,16h,1h,1.5} or {@code H,...}: in force while
 * the destination has been failing for no longer than {@code cutoff} (counted from its first failure, not
 * from the previous rule's end).
 *
 * @param letter {@code F} a fixed interval; {@code G} the previous gap times {@code factor}, at least
 *     {@code interval}; {@code H} as G but the new gap chosen at random between half-way and the G value
 * @param factor 1 for F
 */
public record RetryRule(char letter, Duration cutoff, Duration interval, double factor) {

    @Override
    public String toString() {
        String base = letter + "," + Values.formatTime(cutoff) + "," + Values.formatTime(interval);
        return letter == 'F' ? base : base + "," + factor;
    }
}
