package dev.petrel.transport;

import dev.petrel.spool.SpooledMessage;

/** Something that takes a spooled message to one recipient. Implementations are shared by delivery workers. */
public interface Transport {

    /** Never throws for a delivery problem: every outcome, including I/O errors, is a {@link DeliveryResult}. */
    DeliveryResult deliver(SpooledMessage message, String recipient);
}
