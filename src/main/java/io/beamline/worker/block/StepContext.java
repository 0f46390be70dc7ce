package io.beamline.worker.block;

import io.beamline.worker.contract.ExecAssignment;

/**
 * What a block may know about the step it runs besides its job: the assignment (tenant,
 * correlation ids), the attempt number, the worker's identity, and the step's cooperative
 * cancellation token. Immutable.
 */
public record StepContext(ExecAssignment assignment, int attempt, String workerId, CancellationToken cancellation) {

    /** A context whose step is never cancelled cooperatively (tests, tools). */
    public StepContext(ExecAssignment assignment, int attempt, String workerId) {
        this(assignment, attempt, workerId, CancellationToken.NONE);
    }

    public String tenantId() {
        return assignment.tenantId();
    }

    public String assignmentId() {
        return assignment.assignmentId();
    }
}
