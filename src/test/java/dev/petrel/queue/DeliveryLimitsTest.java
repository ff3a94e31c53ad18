package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.config.ConfigException;
import dev.petrel.config.MainOptions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeliveryLimitsTest {
    @Test
    void defaultsAreExims5QueueRunnersAnd32DeliveriesEvery5Minutes() throws ConfigException {
        Config config = Config.parse("primary_hostname = a.test\n", "test.conf");
        assertThat(DeliveryLimits.from(config)).isEqualTo(new DeliveryLimits(32, 5));
        assertThat(config.main().get(MainOptions.QUEUE_RUN_INTERVAL)).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void theOptionsSetTheLimits() throws ConfigException {
        Config config = Config.parse("""
                queue_run_max = 2
                delivery_max_parallel = 7
                queue_run_interval = 1h30m
                """, "test.conf");
        assertThat(DeliveryLimits.from(config)).isEqualTo(new DeliveryLimits(7, 2));
        assertThat(config.main().get(MainOptions.QUEUE_RUN_INTERVAL)).isEqualTo(Duration.ofMinutes(90));
    }

    @Test
    void noDeliveriesAtAllOrNoIntervalIsRefusedWhenTheConfigurationIsRead() {
        assertThatThrownBy(() -> Config.parse("queue_run_max = 0\n", "test.conf"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("queue_run_max");
        assertThatThrownBy(() -> Config.parse("delivery_max_parallel = 0\n", "test.conf"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("delivery_max_parallel");
        assertThatThrownBy(() -> Config.parse("queue_run_interval = 0s\n", "test.conf"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("queue_run_interval");
    }
}
