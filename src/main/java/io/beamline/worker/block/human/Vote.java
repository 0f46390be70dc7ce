package io.beamline.worker.block.human;

import com.fasterxml.jackson.annotation.JsonProperty;

/** One accepted decision of one approver. Immutable. */
public record Vote(String approver, boolean approved, String comment, @JsonProperty("decided_at") long decidedAt) {
}
