package io.beamline.worker.block.human;

import io.beamline.worker.contract.ApprovalOutput;

/** How a pending approval ended, as the waiting step sees it. */
public sealed interface ApprovalOutcome {

    /** Approved or rejected, by approvers or by the deadline under {@code on_timeout} approve/reject. */
    record Decided(ApprovalOutput output) implements ApprovalOutcome {
    }

    /** The deadline passed without a decision and {@code on_timeout} is {@code fail}. */
    record Expired(long deadline) implements ApprovalOutcome {
    }

    /** The step was cancelled before a decision. */
    record Cancelled(String reason) implements ApprovalOutcome {
    }

    /**
     * No approval was opened: the assignment id already belongs to another tenant's approval,
     * whose outcome this step must not see.
     */
    record Refused(String reason) implements ApprovalOutcome {
    }
}
