package io.beamline.worker.runtime;

import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.support.Assignments;

/** Steps for the runtime's unit tests: a decoded {@code fs.get} assignment, no executor (running one fails at once). */
final class TestSteps {
    private TestSteps() {
    }

    static Step step(String id) {
        return step(id, null, null);
    }

    /** A step of {@code tenant} with {@code priority}; null keeps the fixture's tenant, or no priority. */
    static Step step(String id, String tenant, Integer priority) {
        var json = Assignments.fsGet("docs/a.txt");
        json.put("assignment_id", id);
        if (tenant != null) {
            json.put("tenant_id", tenant);
        }
        if (priority != null) {
            json.put("priority", priority);
        }
        ExecAssignment assignment = ((Decoded.Valid) new AssignmentDecoder().decode(Assignments.bytes(json))).assignment();
        return new Step(assignment, new byte[200], System.nanoTime(), System.currentTimeMillis(), null);
    }
}
