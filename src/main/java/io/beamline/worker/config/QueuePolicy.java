package io.beamline.worker.config;

/** What a full bounded queue does with a new assignment (SPEC §5, {@code --queue-policy}). */
public enum QueuePolicy {
    /** Refuse the new assignment: rejected ack, reason {@code queue_full}, 4002. */
    reject_new,
    /** Accept it and evict the oldest queued step, which gets a final 4002 error result. */
    drop_oldest
}
