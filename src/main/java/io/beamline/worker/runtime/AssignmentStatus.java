package io.beamline.worker.runtime;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.beamline.worker.contract.ExecError;

/**
 * "Why is it waiting?": what the worker knows of one assignment ({@code GET /assignments/{id}}).
 * {@code state} is {@code queued} (with {@code position} in its {@code pool}), {@code running}
 * (attempt N), {@code backing_off} (until {@code backoff_until}, after {@code last_error}),
 * {@code waiting_for_approval}, {@code finished} (with what is remembered of its {@code result}: status, error code, retries, latency, completion time),
 * {@code rejected} (with the {@code reason}: queue full, quota, open breaker…), or
 * {@code unknown}.
 */
public record AssignmentStatus(
        @JsonProperty("assignment_id") String assignmentId,
        String state,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("block_type") String blockType,
        String pool,
        Integer position,
        Integer attempt,
        @JsonProperty("backoff_until") Long backoffUntil,
        @JsonProperty("last_error") ExecError lastError,
        @JsonProperty("accepted_at") Long acceptedAt,
        String reason,
        String message,
        @JsonProperty("retry_after_ms") Long retryAfterMs,
        FinishedStep result) {

    public static AssignmentStatus unknown(String id) {
        return new AssignmentStatus(id, "unknown", null, null, null, null, null, null, null, null, null,
                "not running here and not remembered: never received by this worker, or finished long ago", null, null);
    }

    public static AssignmentStatus finished(String assignmentId, FinishedStep step) {
        return new AssignmentStatus(assignmentId, "finished", step.tenantId(), step.blockType(), null, null, null, null, null,
                null, null, "final status " + step.status().wireName(), null, step);
    }
}
