package io.beamline.worker.contract;

/**
 * Why an assignment will not be executed. The correlation ids are whatever could be read from
 * the message, null when not (even {@code assignment_id}, when that is what is wrong).
 */
public record Rejection(
        String assignmentId,
        String requestId,
        String traceId,
        String tenantId,
        RejectReason reason,
        String message,
        Long retryAfterMs) {

    public static Rejection of(ExecAssignment assignment, RejectReason reason, String message) {
        return new Rejection(assignment.assignmentId(), assignment.requestId(), assignment.traceId(),
                assignment.tenantId(), reason, message, null);
    }

    public Rejection withTraceId(String id) {
        return new Rejection(assignmentId, requestId, id, tenantId, reason, message, retryAfterMs);
    }

    public Rejection withRetryAfter(long millis) {
        return new Rejection(assignmentId, requestId, traceId, tenantId, reason, message, millis);
    }
}
