package io.beamline.worker.block.human;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.StepResult;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * {@code human.approval} (SPEC §4.4): opens (or rejoins) the durable approval for the step and
 * parks until it ends. Parking is {@code Future.get} on a virtual thread, so a waiting approval
 * holds no platform thread; the runtime must also not count it against a pool. The deadline is
 * the approval's own ({@code job.timeout_ms}); no outer timeout is needed.
 *
 * <p>Interruption cancels the approval, unless a decision came first (then that decision is
 * the result) or the service is closed for shutdown (then the approval stays pending for the
 * next start).
 *
 * <p>The store keeps the step until its result is out ({@link #resultPublished}), not merely
 * until this block returned it: a worker killed in between republishes the decision at its next
 * start. Once the approval is stored the block tells the runtime ({@link StepContext#keptDurably})
 * so that a durable transport settles the message. Thread-safe: one instance serves every step.
 */
public final class HumanApprovalBlock implements Block<HumanApprovalJob> {
    private final ApprovalService service;

    public HumanApprovalBlock(ApprovalService service) {
        this.service = service;
    }

    @Override
    public Class<HumanApprovalJob> jobType() {
        return HumanApprovalJob.class;
    }

    @Override
    public StepResult execute(HumanApprovalJob job, StepContext context) throws InterruptedException {
        long started = System.nanoTime();
        String id = context.assignmentId();
        ApprovalOutcome outcome;
        try {
            CompletableFuture<ApprovalOutcome> opened = service.open(context.assignment(), job);
            if (!(opened.getNow(null) instanceof ApprovalOutcome.Refused)) {
                context.keptDurably();  // stored: from here on the store resumes it after a crash
            }
            outcome = opened.get();
        } catch (InterruptedException e) {
            Optional<ApprovalOutcome> ended = service.cancel(id, "step cancelled");
            if (ended.isEmpty() || ended.get() instanceof ApprovalOutcome.Cancelled) {
                throw e;  // the runtime publishes the cancelled result (none at shutdown)
            }
            outcome = ended.get();
        } catch (ExecutionException e) {
            return StepResult.failed(ErrorCode.INTERNAL_ERROR, "approval failed: " + e.getCause(), elapsedMs(started));
        }
        long latencyMs = elapsedMs(started);
        return switch (outcome) {
            case ApprovalOutcome.Decided decided -> new StepResult.Succeeded(decided.output(), latencyMs);
            case ApprovalOutcome.Expired expired -> StepResult.timedOut("no decision before the deadline", latencyMs);
            case ApprovalOutcome.Cancelled cancelled -> StepResult.cancelled("approval cancelled: " + cancelled.reason(), latencyMs);
            case ApprovalOutcome.Refused refused -> StepResult.failed(ErrorCode.PERMISSION_DENIED, refused.reason(), latencyMs);
        };
    }

    /**
     * The step's result is out: its approval is collected, so a restart no longer resumes it.
     * Matched by tenant too, so the refused step of another tenant's id leaves that approval alone.
     */
    @Override
    public void resultPublished(ExecAssignment assignment) {
        service.collected(assignment.assignmentId(), assignment.tenantId());
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
