package io.beamline.worker.block;

import io.beamline.worker.contract.ExecAssignment;

/**
 * What a block may know about the step it runs besides its job: the assignment (tenant,
 * correlation ids), the attempt number, and the worker's identity. Immutable.
 */
public record StepContext(ExecAssignment assignment, int attempt, String workerId) {

    public String tenantId() {
        return assignment.tenantId();
    }

    public String assignmentId() {
        return assignment.assignmentId();
    }
}
