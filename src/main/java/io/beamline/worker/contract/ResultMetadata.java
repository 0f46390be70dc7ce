package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code metadata} of a result: the block that ran and the Router's correlation ids, where given. */
public record ResultMetadata(
        @JsonProperty("block_type") String blockType,
        @JsonProperty("provider_id") String providerId,
        @JsonProperty("run_id") String runId,
        @JsonProperty("flow_id") String flowId,
        @JsonProperty("step_id") String stepId) {

    public static ResultMetadata of(ExecAssignment assignment) {
        return new ResultMetadata(assignment.job().blockType(), assignment.executor().providerId(),
                assignment.runId(), assignment.flowId(), assignment.stepId());
    }
}
