package dev.petrel.queue;

import dev.petrel.config.Config;
import dev.petrel.config.MainOptions;

/**
 * How many deliveries run at once.
 *
 * @param deliveryMaxParallel Petrel's {@code delivery_max_parallel}: message deliveries running at once in the
 *                            process, immediate ones and queue runs' together (Exim runs one process per
 *                            delivery, bounded in effect by {@code smtp_accept_max} and {@code queue_run_max})
 * @param queueRunMax         {@code queue_run_max}: messages a queue run delivers at once, as Exim's queue runner
 *                            processes each deliver one message at a time
 */
public record DeliveryLimits(int deliveryMaxParallel, int queueRunMax) {
    public DeliveryLimits {
        if (deliveryMaxParallel < 1 || queueRunMax < 1) {
            throw new IllegalArgumentException("delivery_max_parallel and queue_run_max must be at least 1");
        }
    }

    static DeliveryLimits from(Config config) {
        return new DeliveryLimits(config.main().get(MainOptions.DELIVERY_MAX_PARALLEL),
                config.main().get(MainOptions.QUEUE_RUN_MAX));
    }
}
