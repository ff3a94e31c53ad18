package dev.petrel.transport.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class WatchdogTest {
    @Test
    void aValueThatComesInTimeIsReturnedAndAFailureIsTheCause() throws Exception {
        CompletableFuture<String> later = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(50, TimeUnit.MILLISECONDS).execute(() -> later.complete("250 OK"));
        assertThat(Watchdog.get(later, Duration.ofSeconds(10))).isEqualTo("250 OK");
        assertThat(Watchdog.get(CompletableFuture.completedFuture("done"), Duration.ZERO)).isEqualTo("done");

        CompletableFuture<String> failing = new CompletableFuture<>();
        CompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS)
                .execute(() -> failing.completeExceptionally(new IOException("connection reset")));
        assertThatThrownBy(() -> Watchdog.get(failing, Duration.ofSeconds(10)))
                .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class)
                .hasMessage("connection reset");
    }

    @Test
    void aWaitEndsSoonAfterItsBoundAndTheFutureItselfIsUntouched() {
        CompletableFuture<String> never = new CompletableFuture<>();
        long start = System.nanoTime();
        assertThatThrownBy(() -> Watchdog.get(never, Duration.ofMillis(100))).isInstanceOf(TimeoutException.class);
        long tookMs = (System.nanoTime() - start) / 1_000_000;
        assertThat(tookMs).isBetween(100L, 2_000L);
        assertThat(never).as("others waiting for it see its own outcome, not our timeout").isNotDone();
        never.complete("late");
        assertThat(never.join()).isEqualTo("late");
    }

    @Test
    void manyVirtualThreadsWaitAtOnceEachWithItsOwnBound() throws Exception {
        List<CompletableFuture<String>> futures = new ArrayList<>();
        List<CompletableFuture<String>> outcomes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            CompletableFuture<String> f = new CompletableFuture<>();
            futures.add(f);
            CompletableFuture<String> outcome = new CompletableFuture<>();
            outcomes.add(outcome);
            Duration bound = Duration.ofMillis(i % 2 == 0 ? 30_000 : 50);
            Thread.ofVirtual().start(() -> {
                try {
                    outcome.complete(Watchdog.get(f, bound));
                } catch (TimeoutException e) {
                    outcome.complete("timed out");
                } catch (Exception e) {
                    outcome.completeExceptionally(e);
                }
            });
        }
        Thread.sleep(300); // the short bounds run out; the long ones do not
        for (int i = 0; i < futures.size(); i += 2) {
            futures.get(i).complete("value " + i);
        }
        for (int i = 0; i < outcomes.size(); i++) {
            assertThat(outcomes.get(i).get(10, TimeUnit.SECONDS)).as("wait %d", i)
                    .isEqualTo(i % 2 == 0 ? "value " + i : "timed out");
        }
    }
}
