package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The final outcome of an accepted assignment on {@code caf.exec.result.v1} (SPEC §2): exactly
 * one per accepted assignment. {@code result} holds the block output on success; {@code error}
 * is set otherwise.
 */
public record ExecResult(
        @JsonProperty("assignment_id") String assignmentId,
        StepStatus status,
        Object result,
        ExecError error,
        @JsonProperty("latency_ms") Long latencyMs,
        @JsonProperty("retries_used") Integer retriesUsed,
        ResultMetadata metadata,
        @JsonProperty("trace_id") String traceId,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("completed_at") Long completedAt) {

    /** Builds the result message of a finished step. */
    public static ExecResult of(ExecAssignment assignment, StepResult outcome, int retriesUsed,
                                long latencyMs, long completedAtMs) {
        Object output = outcome instanceof StepResult.Succeeded succeeded ? succeeded.output() : null;
        return new ExecResult(assignment.assignmentId(), outcome.status(), output,
                outcome.error().orElse(null), latencyMs, retriesUsed, ResultMetadata.of(assignment),
                assignment.traceId(), assignment.tenantId(), completedAtMs);
    }
}
