package dev.petrel.transport.smtp;

import dev.petrel.hints.Hint;
import dev.petrel.hints.HintsDb;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The EHLO records in the {@code misc} hints database. A record older than {@code retry_data_expire} is
 * deleted when looked up, as is one this version cannot read. Called on the delivery's virtual thread, never
 * on an event loop: each call is an SQLite statement.
 */
final class EhloRecords {
    private final HintsDb db;
    private final Clock clock;
    private final Duration maxAge;

    EhloRecords(HintsDb db, Clock clock, Duration maxAge) {
        this.db = db;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    Optional<EhloRecord> find(String key) throws IOException {
        Optional<Hint> hint = db.get(key);
        if (hint.isEmpty()) {
            return Optional.empty();
        }
        if (hint.get().stamp().plus(maxAge).isBefore(clock.instant())) {
            db.delete(key);
            return Optional.empty();
        }
        try {
            return Optional.of(EhloRecord.decode(hint.get().value()));
        } catch (IllegalArgumentException e) {
            db.delete(key);
            return Optional.empty();
        }
    }

    void save(String key, EhloRecord record) throws IOException {
        db.put(key, clock.instant(), record.encode());
    }

    void delete(String key) throws IOException {
        db.delete(key);
    }
}
