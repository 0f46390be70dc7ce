package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** A message on {@code caf.exec.cancel.v1}: cancel a queued or running assignment. */
public record CancelRequest(
        @JsonProperty("assignment_id") String assignmentId,
        @JsonProperty("tenant_id") String tenantId,
        String reason) {
}
