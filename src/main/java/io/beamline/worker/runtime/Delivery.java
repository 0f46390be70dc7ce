package io.beamline.worker.runtime;

import io.beamline.worker.contract.ExecResult;
import java.time.Duration;
import java.util.Optional;

/**
 * The transport's handle on one received message (SPEC §7). Core NATS has nothing to settle
 * ({@link #NONE}); a JetStream message is acknowledged only once its outcome is published and
 * confirmed, kept alive while its step runs, and handed back to the stream when this worker
 * cannot finish it (shutdown, overload), for another worker to take. Thread-safe.
 */
public interface Delivery {
    Delivery NONE = new Delivery() {
    };

    /**
     * The message's outcome is published and confirmed: settle it. {@code result} is the final
     * result of an accepted step (kept as its completed-step record); empty for a rejection or
     * dead letter.
     */
    default void settle(Optional<ExecResult> result) {
    }

    /** The outcome could not be published: leave the message for redelivery. */
    default void unsettled(Throwable cause) {
    }

    /** Whether {@link #handBack} can give the message back (JetStream can, core NATS cannot). */
    default boolean handsBack() {
        return false;
    }

    /**
     * The message's place in its stream (JetStream), -1 when it has none. A delivery of a known
     * {@code assignment_id} with the same place is that message again (redelivered, also after
     * the consumer lost count of its deliveries); with another place it is a new message the
     * Router sent again, answered as a duplicate.
     */
    default long sequence() {
        return -1;
    }

    /**
     * Whether the transport found that the message's assignment already completed, its result
     * stored for another message (a durable transport's shared completed-step records): the
     * Router sent a finished assignment again, and it is answered as a duplicate, not run.
     */
    default boolean completedElsewhere() {
        return false;
    }

    /** Whether {@code other} carries the same stream message as this (true when either cannot tell). */
    default boolean sameMessageAs(Delivery other) {
        return sameMessage(sequence(), other.sequence());
    }

    /** Whether two stream places are the same message's (true when either is unknown, -1). */
    static boolean sameMessage(long sequence, long other) {
        return sequence < 0 || other < 0 || sequence == other;
    }

    /** A redelivery of the same message replaced this handle; let go of it without settling. */
    default void superseded() {
    }

    /**
     * Settles the message of {@code delivery} once every publish completed, or leaves it for
     * redelivery when one failed. {@code delivery} is read when they complete, so a step that
     * adopted a redelivery meanwhile settles the newer handle.
     */
    static void settleWhenPublished(java.util.function.Supplier<Delivery> delivery, Optional<ExecResult> result,
                                    java.util.concurrent.CompletableFuture<?>... publishes) {
        java.util.concurrent.CompletableFuture.allOf(publishes).whenComplete((done, failure) -> {
            if (failure == null) {
                delivery.get().settle(result);
            } else {
                delivery.get().unsettled(failure);
            }
        });
    }

    /** Gives the message back for another worker after {@code delay}; false when the transport cannot. */
    default boolean handBack(Duration delay) {
        return false;
    }
}
