package dev.petrel.queue;

import dev.petrel.log.MainLog;
import dev.petrel.spool.MessageLock;
import dev.petrel.spool.Spool;
import dev.petrel.spool.SpooledMessage;
import dev.petrel.transport.DeliveryResult;
import dev.petrel.transport.RemoteHost;
import dev.petrel.transport.WaitingMessages;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The queue's side of connection reuse: a transport holding a connection claims a waiting message, which is
 * then locked exactly as any delivery locks it (the in-process set of messages in flight and the spool's
 * {@link MessageLock}), routed, and handed over with its recipients for that transport. Its outcomes are
 * logged, journalled and concluded as any attempt's are ({@code =>}, {@code Completed}...). Recipients
 * routed elsewhere get a fresh attempt of their own once the lock is released.
 */
final class ContinuedDeliveries implements WaitingMessages {
    private final Spool spool;
    private final MainLog log;
    private final MessageDelivery delivery;
    private final Set<String> inFlight;
    private final Consumer<String> submit;
    private final BooleanSupplier closing;

    /**
     * @param inFlight the messages this process has in an attempt, shared with the queue runner
     * @param submit starts a fresh attempt of a message (once it is out of {@code inFlight})
     */
    ContinuedDeliveries(Spool spool, MainLog log, MessageDelivery delivery, Set<String> inFlight,
                        Consumer<String> submit, BooleanSupplier closing) {
        this.spool = spool;
        this.log = log;
        this.delivery = delivery;
        this.inFlight = inFlight;
        this.submit = submit;
        this.closing = closing;
    }

    @Override
    public Claim claim(String id, String transport) {
        if (closing.getAsBoolean() || !inFlight.add(id)) {
            return new Claim.Busy();
        }
        MessageLock lock = null;
        boolean handedOver = false;
        try {
            Optional<MessageLock> locked = spool.lockForDelivery(id);
            if (locked.isEmpty()) {
                return spool.contains(id) ? new Claim.Busy() : new Claim.Gone();
            }
            lock = locked.get();
            SpooledMessage message = delivery.read(id);
            if (message == null || message.frozen()) {
                return new Claim.Busy();
            }
            MessageDelivery.Continued continued = delivery.continued(message, transport);
            if (continued == null) {
                return new Claim.Gone(); // nothing of it routes to this transport any more
            }
            List<Group> groups = new ArrayList<>();
            continued.groups().forEach((rcpts, hosts) -> groups.add(new Group(rcpts, hosts)));
            handedOver = true;
            return new Claim.Claimed(new Held(message, continued, groups, lock));
        } catch (NoSuchFileException e) {
            return new Claim.Gone();
        } catch (IOException | RuntimeException e) {
            log.panic(id + " cannot claim for a continued connection: " + e);
            return new Claim.Busy();
        } finally {
            if (!handedOver) {
                if (lock != null) {
                    unlock(id, lock);
                }
                inFlight.remove(id);
            }
        }
    }

    private void unlock(String id, MessageLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.panic(id + " cannot release spool lock: " + e.getMessage());
        }
    }

    /** A claimed message: locked, routed, in flight until finished or released. */
    private final class Held implements Continuation {
        private final SpooledMessage message;
        private final MessageDelivery.Continued continued;
        private final List<Group> groups;
        private final MessageLock lock;
        private boolean ended;

        Held(SpooledMessage message, MessageDelivery.Continued continued, List<Group> groups, MessageLock lock) {
            this.message = message;
            this.continued = continued;
            this.groups = List.copyOf(groups);
            this.lock = lock;
        }

        @Override
        public SpooledMessage message() {
            return message;
        }

        @Override
        public List<Group> groups() {
            return groups;
        }

        @Override
        public boolean mayUse(RemoteHost host, int port) {
            return continued.mayUse(host, port);
        }

        @Override
        public void finish(Group group, List<DeliveryResult> results) {
            boolean othersLeft;
            try {
                othersLeft = continued.finish(group.recipients(), results);
            } finally {
                end();
            }
            if (othersLeft) {
                submit.accept(message.id());
            }
        }

        @Override
        public void release(boolean again) {
            end();
            if (again) {
                submit.accept(message.id());
            }
        }

        private void end() {
            if (ended) {
                throw new IllegalStateException("continuation of " + message.id() + " already ended");
            }
            ended = true;
            unlock(message.id(), lock);
            inFlight.remove(message.id());
        }
    }
}
