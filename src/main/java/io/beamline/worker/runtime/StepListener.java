package io.beamline.worker.runtime;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Rejection;

/**
 * Hooks on the life of a step, for logs, metrics and traces, so that none of them is sprinkled
 * through the runtime or the blocks. Contract: callbacks are fast, never block and never throw;
 * they may run on any thread. All methods default to doing nothing.
 */
public interface StepListener {
    StepListener NONE = new StepListener() {
    };

    default void accepted(ExecAssignment assignment) {
    }

    default void rejected(Rejection rejection) {
    }

    default void started(ExecAssignment assignment, int attempt) {
    }

    /**
     * A step's one result is out. {@code traceId} is the trace that shows the step: the
     * OpenTelemetry trace id of its spans when they were sampled, else its wire {@code trace_id}
     * (which the result carries).
     */
    default void completed(ExecAssignment assignment, ExecResult result, String traceId) {
    }

    default void deadLettered(DeadLetter letter) {
    }

    /** Combines listeners; each is called in order. */
    static StepListener of(java.util.List<StepListener> listeners) {
        var copy = java.util.List.copyOf(listeners);
        return new StepListener() {
            @Override
            public void accepted(ExecAssignment assignment) {
                copy.forEach(l -> l.accepted(assignment));
            }

            @Override
            public void rejected(Rejection rejection) {
                copy.forEach(l -> l.rejected(rejection));
            }

            @Override
            public void started(ExecAssignment assignment, int attempt) {
                copy.forEach(l -> l.started(assignment, attempt));
            }

            @Override
            public void completed(ExecAssignment assignment, ExecResult result, String traceId) {
                copy.forEach(l -> l.completed(assignment, result, traceId));
            }

            @Override
            public void deadLettered(DeadLetter letter) {
                copy.forEach(l -> l.deadLettered(letter));
            }
        };
    }
}
