package io.beamline.worker.runtime;

import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.Rejection;
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

        /**
         * Adds what a message refused at validation has of the step's attributes: the ids its
         * {@code rejection} carries (the trace id it was given included), its run and block type.
         */
        default void describe(Decoded.Invalid message, Rejection rejection) {
        }

        default void fail(String message) {
        }

        /** The span's trace id when tracing is on: the trace id of an assignment that came without one. */
        default Optional<String> traceId() {
            return Optional.empty();
        }

        /**
         * The span's trace id when the span was sampled (its trace reaches the collector, where
         * a trace viewer finds it), else {@code otherwise}. Allocates nothing: called for every step.
         */
        default String sampledTraceIdOr(String otherwise) {
            return otherwise;
        }

        default void end() {
        }
    }
}
