package io.beamline.worker.bench;

/**
 * What happens to the assignments of one phase, as it happens: a hook for views of a run over
 * time ({@link SecondSeries}). The sender thread calls {@link #sent}; the dispatcher thread calls
 * the rest, once per distinct outcome (a duplicate result is reported as such, a duplicate ack
 * not at all). Implementations must be fast and must not throw. The defaults do nothing.
 */
interface PhaseEvents {
    /** Does nothing: a run without {@code --series-file}. */
    PhaseEvents NONE = new PhaseEvents() {
    };

    /** An assignment was published at {@code nowNanos}. Sender thread only. */
    default void sent(long nowNanos) {
    }

    /** A first ack with status accepted. */
    default void accepted(long nowNanos) {
    }

    /** A first ack with status rejected; {@code key} names its error code and reason, e.g. "4002:queue_full". */
    default void rejected(long nowNanos, String key) {
    }

    /** A first result; {@code key} is its status ("success", "error:4002", ...). */
    default void result(long nowNanos, String key, long latencyMicros) {
    }

    /** A second (or later) result for the same assignment. */
    default void duplicateResult(long nowNanos) {
    }

    /** A dead letter, by reason. */
    default void deadLetter(long nowNanos, String reason) {
    }
}
