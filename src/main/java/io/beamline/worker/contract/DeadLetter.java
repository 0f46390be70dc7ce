package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A message on {@code caf.exec.dlq.v1}: input that could not be processed or a step that failed
 * for good. {@code payload} is the original message as JSON when it parsed, else as a string
 * ({@code payload_base64} instead when it was not even UTF-8). A payload too large to forward
 * whole is cut, and {@code payload_truncated} and {@code payload_size_bytes} say so.
 */
public record DeadLetter(
        @JsonProperty("assignment_id") String assignmentId,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("trace_id") String traceId,
        String reason,
        ExecError error,
        Integer attempts,
        @JsonProperty("worker_id") String workerId,
        Long timestamp,
        Object payload,
        @JsonProperty("payload_base64") String payloadBase64,
        @JsonProperty("payload_size_bytes") Integer payloadSizeBytes,
        @JsonProperty("payload_truncated") Boolean payloadTruncated) {

    /**
     * The same letter without the payload, for the rare payload that still does not fit in one
     * message once escaped as JSON; size and the truncation mark remain.
     */
    public DeadLetter withoutPayload() {
        return new DeadLetter(assignmentId, tenantId, traceId, reason, error, attempts, workerId, timestamp,
                null, null, payloadSizeBytes, Boolean.TRUE);
    }
}
