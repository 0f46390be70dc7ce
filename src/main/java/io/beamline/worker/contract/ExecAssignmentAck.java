package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * The worker's answer to an assignment on {@code caf.exec.assign.v1.ack} (SPEC §2). A rejection
 * carries {@code reason}, {@code error_code} and, where the worker can know it,
 * {@code retry_after_ms}: when trying again may succeed.
 */
public record ExecAssignmentAck(
        @JsonProperty("assignment_id") String assignmentId,
        Status status,
        String message,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("trace_id") String traceId,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("acknowledged_at") Long acknowledgedAt,
        RejectReason reason,
        @JsonProperty("error_code") ErrorCode errorCode,
        @JsonProperty("retry_after_ms") Long retryAfterMs) {

    public enum Status {
        @JsonProperty("accepted") ACCEPTED,
        @JsonProperty("rejected") REJECTED
    }

    public static ExecAssignmentAck accepted(ExecAssignment assignment, long nowMs) {
        return new ExecAssignmentAck(assignment.assignmentId(), Status.ACCEPTED,
                "Assignment accepted for execution", assignment.requestId(), assignment.traceId(),
                assignment.tenantId(), nowMs, null, null, null);
    }

    public static ExecAssignmentAck rejected(Rejection rejection, long nowMs) {
        return new ExecAssignmentAck(rejection.assignmentId(), Status.REJECTED, rejection.message(),
                rejection.requestId(), rejection.traceId(), rejection.tenantId(), nowMs,
                rejection.reason(), rejection.reason().errorCode(), rejection.retryAfterMs());
    }
}
