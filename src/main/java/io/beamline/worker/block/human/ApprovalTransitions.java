package io.beamline.worker.block.human;

import io.beamline.worker.block.human.DecisionOutcome.Accepted;
import io.beamline.worker.block.human.DecisionOutcome.Refusal;
import io.beamline.worker.block.human.DecisionOutcome.Refused;
import io.beamline.worker.contract.ApprovalOutput;
import java.util.Optional;

/**
 * The state machine of an approval, applied to the store: each change (vote, expiry,
 * cancellation) is one transaction that re-reads the approval, checks it is still pending and
 * writes the result with its audit entry. Because the store serialises transactions, exactly
 * one final state wins whatever races. Thread-safe (all state is in the store).
 */
final class ApprovalTransitions {
    private final ApprovalStore store;

    ApprovalTransitions(ApprovalStore store) {
        this.store = store;
    }

    DecisionOutcome decide(String id, Decision decision, long now) {
        return store.transaction(() -> {
            Optional<Approval> found = store.find(id);
            if (found.isEmpty()) {
                return unknown();
            }
            Approval before = found.get();
            boolean tokenValid = store.tokenHash(id, decision.approver())
                    .map(hash -> Tokens.matches(hash, decision.token())).orElse(false);
            Optional<Refused> refusal = Ballot.refusal(before, decision, tokenValid, now);
            if (refusal.isPresent()) {
                store.audit(id, new AuditEntry(now, decision.approver(), decision.approved(), false,
                        refusal.get().refusal().wireName(), refusal.get().message()));
                return refusal.get();
            }
            Vote vote = new Vote(decision.approver(), decision.approved(), decision.comment(), now);
            store.addVote(id, vote);
            store.audit(id, new AuditEntry(now, vote.approver(), vote.approved(), true, "accepted",
                    vote.approved() ? "approval counted" : "rejection counted"));
            Optional<ApprovalOutput> verdict = Ballot.verdict(before, vote);
            if (verdict.isPresent()) {
                store.finish(id, stateOf(verdict.get()), verdict, Optional.empty(), now);
            }
            return new Accepted(store.find(id).orElseThrow());
        });
    }

    DecisionOutcome refuseUnread(String id, Refusal refusal, String problem, long now) {
        return store.transaction(() -> {
            if (store.find(id).isEmpty()) {
                return unknown();
            }
            store.audit(id, new AuditEntry(now, null, null, false, refusal.wireName(), problem));
            return new Refused(refusal, problem);
        });
    }

    /** Cancels the approval if pending; returns it as it stands afterwards. */
    Optional<Approval> cancel(String id, String reason, long now) {
        return store.transaction(() -> {
            Optional<Approval> found = store.find(id);
            if (found.isEmpty() || !found.get().isPending()) {
                return found;
            }
            store.finish(id, ApprovalState.CANCELLED, Optional.empty(), Optional.of(reason), now);
            store.audit(id, new AuditEntry(now, Approval.CANCEL_APPROVER, null, true, "cancelled", reason));
            return store.find(id);
        });
    }

    /**
     * Applies the deadline under {@code on_timeout}; returns the ended approval, or empty when
     * it was no longer pending or its deadline is still ahead.
     */
    Optional<Approval> expire(String id, long now) {
        return store.transaction(() -> {
            Optional<Approval> found = store.find(id);
            if (found.isEmpty() || !found.get().isPending() || now < found.get().deadline()) {
                return Optional.<Approval>empty();
            }
            Optional<ApprovalOutput> result = Ballot.onDeadline(found.get(), now);
            store.finish(id, result.map(ApprovalTransitions::stateOf).orElse(ApprovalState.EXPIRED), result,
                    Optional.of("no decision before the deadline"), now);
            store.audit(id, new AuditEntry(now, Approval.TIMEOUT_APPROVER, result.map(ApprovalOutput::approved).orElse(null),
                    true, "expired", "deadline reached; on_timeout " + found.get().onTimeout().wireName()));
            return store.find(id);
        });
    }

    private static ApprovalState stateOf(ApprovalOutput result) {
        return result.approved() ? ApprovalState.APPROVED : ApprovalState.REJECTED;
    }

    private static Refused unknown() {
        return new Refused(Refusal.UNKNOWN_ID, "no approval with this id");
    }
}
