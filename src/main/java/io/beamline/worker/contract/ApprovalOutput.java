package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Result of {@code human.approval} ({@code contract/result-human.json}). */
public record ApprovalOutput(
        Boolean approved,
        String approver,
        String comment,
        @JsonProperty("approved_at") Long approvedAt) {
}
