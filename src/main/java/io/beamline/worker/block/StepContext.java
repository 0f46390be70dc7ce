package io.beamline.worker.block;

import io.beamline.worker.contract.ExecAssignment;

/**
 * What a block may know about the step it runs besides its job: the assignment (tenant,
 * correlation ids), the attempt number, the worker's identity, the step's cooperative
 * cancellation token, and {@code kept}: what to call once the block keeps the step durably
 * itself (see {@link #keptDurably}). Immutable.
 */
public record StepContext(ExecAssignment assignment, int attempt, String workerId, CancellationToken cancellation,
                          Runnable kept) {

    /** A context whose step is never cancelled cooperatively (tests, tools). */
    public StepContext(ExecAssignment assignment, int attempt, String workerId) {
        this(assignment, attempt, workerId, CancellationToken.NONE);
    }

    /** A context of a step whose message nothing settles before its result (tests, tools). */
    public StepContext(ExecAssignment assignment, int attempt, String workerId, CancellationToken cancellation) {
        this(assignment, attempt, workerId, cancellation, () -> {
        });
    }

    /**
     * Tells the runtime that the step is now kept durably by the block (an approval, once
     * stored): should the worker die, the block's store resumes it and publishes its result at
     * the next start, so a durable transport may settle the step's message now rather than when
     * the result is out, which for an approval may be days away. Never throws.
     */
    public void keptDurably() {
        kept.run();
    }

    public String tenantId() {
        return assignment.tenantId();
    }

    public String assignmentId() {
        return assignment.assignmentId();
    }
}
