package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code human.approval} (SPEC §4.4). {@code required_approvals} is the quorum (default 1);
 * {@code on_timeout} is {@code fail} (default), {@code approve} or {@code reject}.
 */
public record HumanApprovalJob(
        String type,
        String prompt,
        @JsonProperty("timeout_ms") Long timeoutMs,
        List<String> approvers,
        @JsonProperty("required_approvals") Integer requiredApprovals,
        @JsonProperty("on_timeout") String onTimeout) implements Job {

    @Override
    public String blockType() {
        return HUMAN_APPROVAL;
    }
}
