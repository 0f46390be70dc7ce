package io.beamline.worker.contract;

/**
 * Why an assignment (identified at least by its {@code assignment_id}) will not be executed.
 * The correlation ids are whatever could be read from the message, null when not.
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

    public Rejection withRetryAfter(long millis) {
        return new Rejection(assignmentId, requestId, traceId, tenantId, reason, message, millis);
    }
}
