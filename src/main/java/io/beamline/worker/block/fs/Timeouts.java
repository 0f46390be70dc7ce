package io.beamline.worker.block.fs;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Starts {@link OperationDeadline}s when operation timeouts are switched on
 * ({@code CP2_COMPLETE_TIMEOUT_ENABLED}), or unlimited ones when they are off. Thread-safe.
 */
final class Timeouts {
    /** Present only when timeouts are on. */
    private final ScheduledExecutorService scheduler;

    private Timeouts(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    static Timeouts off() {
        return new Timeouts(null);
    }

    static Timeouts on(ScheduledExecutorService scheduler) {
        return new Timeouts(scheduler);
    }

    OperationDeadline start(String operation, Duration limit) {
        return scheduler == null ? OperationDeadline.unlimited() : OperationDeadline.start(operation, limit, scheduler);
    }
}
