package io.beamline.worker.runtime;

import io.beamline.worker.contract.ExecAssignment;
import java.util.Optional;

/**
 * Tracing hooks of the runtime (SPEC §6): the spans {@code worker.assignment.receive},
 * {@code worker.block.execute} and {@code worker.result.publish}. Implemented with
 * OpenTelemetry in the observability package; the runtime only sees this interface, and
 * {@link #NONE} costs nothing. Implementations are thread-safe.
 */
public interface StepTracer {
    String RECEIVE = "worker.assignment.receive";
    String EXECUTE = "worker.block.execute";
    String PUBLISH = "worker.result.publish";

    StepTracer NONE = new StepTracer() {
        @Override
        public Span startReceive(String traceparent) {
            return Span.NONE;
        }

        @Override
        public Span startChild(Span parent, String name, ExecAssignment assignment) {
            return Span.NONE;
        }
    };

    /** Starts the receive span, a child of the W3C {@code traceparent} when one came with the message. */
    Span startReceive(String traceparent);

    /** Starts a span under {@code parent} (which may have ended) for the step of {@code assignment}. */
    Span startChild(Span parent, String name, ExecAssignment assignment);

    /** One span; ended exactly once. */
    interface Span {
        Span NONE = new Span() {
        };

        /** Adds the step's attributes (tenant, trace, run, block type, worker). */
        default void describe(ExecAssignment assignment) {
        }

        default void fail(String message) {
        }

        /** The span's trace id when tracing is on: the trace id of an assignment that came without one. */
        default Optional<String> traceId() {
            return Optional.empty();
        }

        default void end() {
        }
    }
}
