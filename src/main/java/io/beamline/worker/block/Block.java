package io.beamline.worker.block;

import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.StepResult;

/**
 * One kind of step (HTTP call, file operation, query, approval). A block runs one attempt of a
 * job and reports its outcome as a {@link StepResult} value; it never decides about retries,
 * breakers or overall deadlines: the policy chain around it does.
 *
 * <p>Contract: implementations are thread-safe (one instance serves all steps), honour thread
 * interruption as a request to stop, and return a result rather than throwing for any failure
 * the step itself caused. An unexpected runtime exception is reported as an internal error.
 *
 * @param <J> the job record this block executes
 */
public interface Block<J extends Job> {

    /** The job record type this block accepts. */
    Class<J> jobType();

    StepResult execute(J job, StepContext context) throws InterruptedException;

    /**
     * The step's one result is out for good: published and flushed to the server, or stored by
     * JetStream. A block that keeps a step durably until its result is out ({@code human.approval},
     * whose store republishes the result of a step not yet released after a restart) lets go of
     * it here. Called once per published result of such a block's step, on any thread; must not
     * throw for a step it does not know.
     */
    default void resultPublished(ExecAssignment assignment) {
    }

    /** Runs {@code job}, which the registry has matched to this block by type. */
    default StepResult executeUnchecked(Job job, StepContext context) throws InterruptedException {
        return execute(jobType().cast(job), context);
    }
}
