package io.beamline.worker.block.human;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.beamline.worker.contract.ApprovalOutput;
import java.util.List;

/**
 * One approval as the API shows it ({@code GET /approvals/{id}}): what is asked, of whom, until
 * when, where it stands, the accepted votes and the audit trail. Never carries tokens or their
 * hashes. The id is the assignment id. Immutable.
 *
 * @param result       the step's result once approved or rejected; absent otherwise
 * @param reason       why it ended when it expired or was cancelled; absent otherwise
 * @param auditOmitted refused attempts beyond {@link ApprovalStore#MAX_AUDIT_ENTRIES} that were
 *                     counted but not stored, so a flood of bad requests cannot fill the disk
 */
public record Approval(
        String id,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("trace_id") String traceId,
        String prompt,
        List<String> approvers,
        @JsonProperty("required_approvals") int requiredApprovals,
        @JsonProperty("on_timeout") OnTimeout onTimeout,
        @JsonProperty("created_at") long createdAt,
        long deadline,
        ApprovalState state,
        ApprovalOutput result,
        String reason,
        List<Vote> votes,
        List<AuditEntry> audit,
        @JsonProperty("audit_omitted") long auditOmitted) {

    /** The approver named in results and the audit trail when the deadline decided. */
    public static final String TIMEOUT_APPROVER = "system:timeout";
    /** The approver named in the audit trail when the step was cancelled. */
    public static final String CANCEL_APPROVER = "system:cancel";

    public Approval {
        approvers = List.copyOf(approvers);
        votes = List.copyOf(votes);
        audit = List.copyOf(audit);
    }

    public boolean isPending() {
        return state == ApprovalState.PENDING;
    }

    boolean hasVoted(String approver) {
        return votes.stream().anyMatch(vote -> vote.approver().equals(approver));
    }

    long approvalsSoFar() {
        return votes.stream().filter(Vote::approved).count();
    }

    /** The same approval without its audit trail, for listings. */
    Approval withoutAudit() {
        return new Approval(id, tenantId, traceId, prompt, approvers, requiredApprovals, onTimeout, createdAt,
                deadline, state, result, reason, votes, List.of(), auditOmitted);
    }
}
