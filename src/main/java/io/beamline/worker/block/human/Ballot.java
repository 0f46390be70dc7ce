package io.beamline.worker.block.human;

import io.beamline.worker.block.human.DecisionOutcome.Refusal;
import io.beamline.worker.block.human.DecisionOutcome.Refused;
import io.beamline.worker.contract.ApprovalOutput;
import java.util.Optional;

/**
 * The rules of a vote, free of storage and time sources so they read in one place: who may
 * vote, when, and when the votes decide. Stateless.
 */
final class Ballot {
    private Ballot() {
    }

    /**
     * Why {@code decision} must be refused, if it must. Identity is checked before state, so a
     * caller without a valid token learns nothing beyond what {@code GET} already shows.
     */
    static Optional<Refused> refusal(Approval approval, Decision decision, boolean tokenValid, long now) {
        if (!approval.approvers().contains(decision.approver())) {
            return refuse(Refusal.NOT_AN_APPROVER, "\"" + decision.approver() + "\" is not an approver of this approval");
        }
        if (!tokenValid) {
            return refuse(Refusal.WRONG_TOKEN, "the token does not match this approver's link");
        }
        if (approval.state() == ApprovalState.CANCELLED) {
            return refuse(Refusal.CANCELLED, "the approval was cancelled");
        }
        if (approval.state() == ApprovalState.EXPIRED || now >= approval.deadline()) {
            return refuse(Refusal.PAST_DEADLINE, "the deadline has passed");
        }
        if (approval.state().isFinal()) {
            return refuse(Refusal.ALREADY_DECIDED, "the approval was already " + approval.state().wireName());
        }
        if (approval.hasVoted(decision.approver())) {
            return refuse(Refusal.ALREADY_VOTED, "\"" + decision.approver() + "\" has already voted");
        }
        return Optional.empty();
    }

    /**
     * The result once {@code vote} is counted, if it decides: any rejection rejects; approvals
     * decide when they reach the quorum. The deciding vote names the approver.
     */
    static Optional<ApprovalOutput> verdict(Approval before, Vote vote) {
        boolean decides = !vote.approved() || before.approvalsSoFar() + 1 >= before.requiredApprovals();
        return decides
                ? Optional.of(new ApprovalOutput(vote.approved(), vote.approver(), vote.comment(), vote.decidedAt()))
                : Optional.empty();
    }

    /** The result the deadline gives under {@code on_timeout} approve or reject; empty under fail. */
    static Optional<ApprovalOutput> onDeadline(Approval approval, long now) {
        return switch (approval.onTimeout()) {
            case FAIL -> Optional.empty();
            case APPROVE -> Optional.of(new ApprovalOutput(true, Approval.TIMEOUT_APPROVER,
                    "approved automatically: no decision before the deadline", now));
            case REJECT -> Optional.of(new ApprovalOutput(false, Approval.TIMEOUT_APPROVER,
                    "rejected automatically: no decision before the deadline", now));
        };
    }

    private static Optional<Refused> refuse(Refusal refusal, String message) {
        return Optional.of(new Refused(refusal, message));
    }
}
