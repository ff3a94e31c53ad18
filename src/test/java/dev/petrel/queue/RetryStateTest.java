package dev.petrel.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.petrel.config.Config;
import dev.petrel.config.RetryError;
import dev.petrel.hints.HintsDb;
import dev.petrel.hints.RetryRecord;
import dev.petrel.log.MainLog;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exim's retry_update arithmetic on a clock the test moves: F, G and H gaps, the cap, the cutoff, staleness. */
class RetryStateTest {
    private static final String KEY = "T:mx.example:192.0.2.1";
    private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

    @TempDir
    Path dir;

    private HintsDb db;
    private Instant now = T0;

    @AfterEach
    void close() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    private RetryState state(String rules, String intervalMax) throws Exception {
        Config c = Config.parse("begin retry\n" + rules + "\n", "test.conf");
        db = HintsDb.open(dir, "retry");
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now;
            }
        };
        return new RetryState(db, c.retry(), Duration.parse(intervalMax), Duration.ofDays(7), clock,
                MainLog.discarding(Set.of()));
    }

    private RetryRecord record(RetryState s) {
        return s.read(KEY).orElseThrow();
    }

    private boolean fail(RetryState s) {
        return s.failed(KEY, "example", RetryError.ECONNREFUSED, 'M', "Connection refused", T0);
    }

    @Test
    void fixedThenGeometricThenFixedAsEximsDefault() throws Exception {
        RetryState s = state("*  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h", "PT24H");
        assertThat(fail(s)).isFalse();
        assertThat(record(s).nextTry()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
        assertThat(record(s).firstFailed()).isEqualTo(T0);

        now = T0.plus(Duration.ofHours(3)); // in the G rule: the last gap (15m) is below 1h, so 1h
        fail(s);
        assertThat(record(s).nextTry()).isEqualTo(now.plus(Duration.ofHours(1)));
        now = now.plus(Duration.ofHours(1)); // then 1h * 1.5
        fail(s);
        assertThat(record(s).nextTry()).isEqualTo(now.plus(Duration.ofMinutes(90)));
        now = now.plus(Duration.ofMinutes(90)); // 90m * 1.5
        fail(s);
        assertThat(record(s).nextTry()).isEqualTo(now.plus(Duration.ofMinutes(135)));

        now = T0.plus(Duration.ofHours(20)); // the last rule
        fail(s);
        assertThat(record(s).nextTry()).isEqualTo(now.plus(Duration.ofHours(6)));
        assertThat(record(s).expired()).isFalse();
        assertThat(record(s).firstFailed()).isEqualTo(T0);

        now = T0.plus(Duration.ofDays(4)).plusSeconds(1); // past the final cutoff
        assertThat(fail(s)).isTrue();
        assertThat(record(s).expired()).isTrue();
        assertThat(record(s).errno()).isEqualTo(111);
        assertThat(record(s).moreErrno()).isEqualTo('M');
    }

    @Test
    void retryIntervalMaxCapsEveryGap() throws Exception {
        RetryState s = state("*  *  F,10d,2d", "PT12H");
        fail(s);
        assertThat(record(s).nextTry()).isEqualTo(T0.plus(Duration.ofHours(12)));
    }

    @Test
    void hGapsLieBetweenTheIntervalAndTheGeometricValue() throws Exception {
        RetryState s = state("*  *  H,10d,1h,4", "PT240H");
        fail(s); // first: the interval
        assertThat(record(s).nextTry()).isEqualTo(T0.plus(Duration.ofHours(1)));
        now = T0.plus(Duration.ofHours(1));
        fail(s); // G would say 4h; H picks from the upper half above the interval: 1h + [1.5h, 3h)
        Duration gap = Duration.between(now, record(s).nextTry());
        assertThat(gap).isBetween(Duration.ofMinutes(150), Duration.ofHours(4));
    }

    @Test
    void aMessageQueuedLongerThanTheFinalCutoffTimesOutAtItsNextFailure() throws Exception {
        RetryState s = state("*  *  F,1h,10m", "PT24H");
        now = T0.plus(Duration.ofHours(2)); // a fresh record (the host worked for others), but the message is old
        assertThat(s.failed(KEY, "example", 111, 'M', "Connection refused", T0.minusSeconds(1))).isTrue();
        assertThat(record(s).expired()).isFalse();
        assertThat(record(s).nextTry()).isEqualTo(now);
    }

    @Test
    void recordsOlderThanRetryDataExpireAreIgnored() throws Exception {
        RetryState s = state("*  *  F,30d,1d", "PT24H");
        fail(s);
        now = T0.plus(Duration.ofDays(8));
        assertThat(s.read(KEY)).isEmpty();
        fail(s); // starts afresh
        assertThat(record(s).firstFailed()).isEqualTo(now);
    }

    @Test
    void noRuleMeansTimedOutAndNothingWritten() throws Exception {
        RetryState s = state("*  timeout  F,1h,10m", "PT24H");
        assertThat(fail(s)).isTrue();
        assertThat(s.read(KEY)).isEmpty();
    }
}
