package io.beamline.worker.block.human;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The notification published on {@code caf.human.approval.requested.v1} when an approval opens:
 * what is asked, of whom, until when (epoch ms), and one decision link per approver. Each link
 * carries that approver's secret token, so the notification must only reach the approvers'
 * notifier. Immutable.
 */
public record ApprovalRequested(
        @JsonProperty("approval_id") String approvalId,
        @JsonProperty("assignment_id") String assignmentId,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("trace_id") String traceId,
        String prompt,
        List<String> approvers,
        @JsonProperty("required_approvals") int requiredApprovals,
        long deadline,
        List<Link> links) {

    public ApprovalRequested {
        approvers = List.copyOf(approvers);
        links = List.copyOf(links);
    }

    /** The decision page of one approver. */
    public record Link(String approver, String url) {
    }
}
