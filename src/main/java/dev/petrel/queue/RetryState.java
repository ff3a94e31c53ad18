package dev.petrel.queue;

import dev.petrel.config.RetryConfig;
import dev.petrel.config.RetryRule;
import dev.petrel.config.RetryRules;
import dev.petrel.hints.Hint;
import dev.petrel.hints.HintsDb;
import dev.petrel.hints.RetryRecord;
import dev.petrel.log.MainLog;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exim's retry processing over the {@code retry} hints database: reading a destination's record, and after
 * a failure computing its next try from the first matching retry rule ({@code retry_update}). Each update is
 * one read-modify-write transaction, so concurrent deliveries here and a {@code petrel queue run} beside the
 * daemon do not lose each other's changes. A database that cannot be used is logged to the panic log and
 * treated as empty: mail is then retried at every queue run, never lost.
 */
final class RetryState {
    private final HintsDb db;
    private final RetryRules rules;
    private final Duration intervalMax;
    private final Duration dataExpire;
    private final Clock clock;
    private final MainLog log;

    /** @param db the {@code retry} hints database, or null to keep no state (every destination always due) */
    RetryState(HintsDb db, RetryRules rules, Duration intervalMax, Duration dataExpire, Clock clock, MainLog log) {
        this.db = db;
        this.rules = rules;
        this.intervalMax = intervalMax;
        this.dataExpire = dataExpire;
        this.clock = clock;
        this.log = log;
    }

    Instant now() {
        return Instant.ofEpochSecond(clock.instant().getEpochSecond());
    }

    /** The record for {@code key}, unless there is none or it was last written more than retry_data_expire ago. */
    Optional<RetryRecord> read(String key) {
        if (db == null) {
            return Optional.empty();
        }
        try {
            return db.get(key).flatMap(this::fresh);
        } catch (IOException e) {
            log.panic("retry database: " + e.getMessage());
            return Optional.empty();
        }
    }

    private Optional<RetryRecord> fresh(Hint hint) {
        if (hint.stamp().plus(dataExpire).isBefore(now())) {
            return Optional.empty();
        }
        try {
            return Optional.of(RetryRecord.decode(hint.value()));
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // not ours to interpret: rewritten at the next failure
        }
    }

    /**
     * Exim's ultimate address timeout: the message has been queued longer than the final cutoff of the rule
     * for this destination and error (or no rule covers it), so it is tried whatever the record says.
     */
    boolean ultimateTimeout(String key, String domain, RetryRecord record, Instant received) {
        Optional<RetryConfig> config = rules.find(strip(key), domain, record.errno(), record.moreErrno());
        RetryRule last = config.map(RetryConfig::finalRule).orElse(null);
        return last == null || Duration.between(received, now()).compareTo(last.cutoff()) > 0;
    }

    /**
     * Records a failure of {@code key} and computes its next try ({@code retry_update} for one item).
     *
     * @param domain for a host key, the domain being delivered, which a rule may name instead of the host
     * @return whether the destination has timed out: past its final cutoff, no rule for it, or the message
     *     queued longer than the final cutoff
     */
    boolean failed(String key, String domain, int errno, int more, String text, Instant received) {
        Optional<RetryConfig> config = rules.find(strip(key), domain, errno, more);
        if (config.isEmpty()) {
            return true; // no rule: temporary errors are permanent, and there is nothing to remember
        }
        if (db == null) {
            return false;
        }
        boolean[] timedOut = new boolean[1];
        Instant now = now();
        try {
            db.update(key, old -> {
                RetryRecord previous = old.flatMap(this::fresh).orElse(null);
                RetryRecord next = next(config.get(), previous, errno, more, text, received, now, timedOut);
                return Optional.of(new Hint(key, now, next.encode()));
            });
        } catch (IOException e) {
            log.panic("retry database: " + e.getMessage());
        }
        return timedOut[0];
    }

    private RetryRecord next(RetryConfig config, RetryRecord previous, int errno, int more, String text,
                             Instant received, Instant now, boolean[] timedOut) {
        RetryRecord r = previous != null ? previous : new RetryRecord(now, now, now, errno, more, text, false);
        Duration failing = Duration.between(r.firstFailed(), now);
        RetryRule rule = null;
        RetryRule passed = null;
        for (RetryRule candidate : config.rules()) {
            if (failing.compareTo(candidate.cutoff()) <= 0) {
                rule = candidate;
                break;
            }
            passed = candidate;
        }
        boolean expired = rule == null;
        if (expired) {
            rule = passed;
            timedOut[0] = true;
        } else if (!received.isAfter(r.firstFailed())
                && Duration.between(received, now).compareTo(config.finalRule().cutoff()) > 0) {
            // The destination works for other messages now and then, which resets its record: this one has
            // still waited longer than the final cutoff.
            timedOut[0] = true;
            rule = null;
        }
        Instant nextTry = rule == null ? now : now.plus(gap(rule, r, now));
        if (Duration.between(now, nextTry).compareTo(intervalMax) > 0) {
            nextTry = now.plus(intervalMax);
        }
        return new RetryRecord(r.firstFailed(), now, nextTry, errno, more, text, expired);
    }

    private static Duration gap(RetryRule rule, RetryRecord r, Instant now) {
        if (rule.letter() == 'F') {
            return rule.interval();
        }
        long predicted = Duration.between(r.lastTry(), r.nextTry()).toSeconds();
        long actual = Duration.between(r.lastTry(), now).toSeconds();
        long lastGap = Math.min(predicted, actual);
        long nextGap = (long) (lastGap * rule.factor());
        long p1 = rule.interval().toSeconds();
        if (rule.letter() == 'G') {
            return Duration.ofSeconds(lastGap < p1 ? p1 : nextGap);
        }
        // H: at least the interval, then somewhere in the upper half of what G would have added.
        long extra = nextGap > p1 ? ThreadLocalRandom.current().nextLong(nextGap - p1) / 2 + (nextGap - p1) / 2 : 0;
        return Duration.ofSeconds(p1 + extra);
    }

    /** The destination worked: its record, if any, goes. */
    void clear(String key) {
        if (db == null) {
            return;
        }
        try {
            db.delete(key);
        } catch (IOException e) {
            log.panic("retry database: " + e.getMessage());
        }
    }

    /** Rules are looked up by the name in a key: {@code T:host:ip} by the host, {@code R:x@y:<s>} by the address. */
    private static String strip(String key) {
        return key.substring(2);
    }
}
