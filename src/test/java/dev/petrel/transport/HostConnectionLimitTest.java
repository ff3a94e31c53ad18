package dev.petrel.transport;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class HostConnectionLimitTest {
    @Test
    void aFullHostRefusesUntilASlotIsClosedAndOtherHostsAreUnaffected() throws Exception {
        HostConnectionLimit limit = new HostConnectionLimit(2);
        HostConnectionLimit.Slot a = limit.tryAcquire("192.0.2.1:25").orElseThrow();
        HostConnectionLimit.Slot b = limit.tryAcquire("192.0.2.1:25").orElseThrow();
        assertThat(limit.tryAcquire("192.0.2.1:25")).isEmpty();
        assertThat(limit.acquire("192.0.2.1:25", Duration.ofMillis(50))).isEmpty();
        assertThat(limit.tryAcquire("192.0.2.2:25")).isPresent();

        a.close();
        a.close(); // a second close gives nothing back twice
        assertThat(limit.open("192.0.2.1:25")).isEqualTo(1);
        Optional<HostConnectionLimit.Slot> c = limit.tryAcquire("192.0.2.1:25");
        assertThat(c).isPresent();
        assertThat(limit.tryAcquire("192.0.2.1:25")).isEmpty();
        b.close();
        c.get().close();
        assertThat(limit.open("192.0.2.1:25")).isZero();
    }

    @Test
    void manyVirtualThreadsNeverExceedTheLimitAndAllGetThrough() throws Exception {
        HostConnectionLimit limit = new HostConnectionLimit(3);
        AtomicInteger now = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AtomicInteger served = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(200);
        for (int i = 0; i < 200; i++) {
            Thread.ofVirtual().start(() -> {
                try (HostConnectionLimit.Slot slot = limit.acquire("slow.example:25", Duration.ofSeconds(30)).orElseThrow()) {
                    most.accumulateAndGet(now.incrementAndGet(), Math::max);
                    Thread.sleep(2);
                    now.decrementAndGet();
                    served.incrementAndGet();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            });
        }
        assertThat(done.await(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(served.get()).isEqualTo(200);
        assertThat(most.get()).isBetween(1, 3);
        assertThat(limit.open("slow.example:25")).isZero();
    }
}
