package io.beamline.worker.runtime;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.StepResult;
import java.time.Clock;

/**
 * Runs an accepted step to its one final result: executes its block, publishes the
 * {@code ExecResult}, dead-letters a non-retriable failure, and tells the registry and the
 * listeners. Every path out of here publishes exactly one result. Thread-safe.
 */
public final class StepExecutor {
    private final BlockRegistry blocks;
    private final OutcomeSink sink;
    private final DeadLetters deadLetters;
    private final AssignmentRegistry registry;
    private final StepListener listener;
    private final Clock clock;
    private final String workerId;

    public StepExecutor(BlockRegistry blocks, OutcomeSink sink, DeadLetters deadLetters,
                        AssignmentRegistry registry, StepListener listener, Clock clock, String workerId) {
        this.blocks = blocks;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.listener = listener;
        this.clock = clock;
        this.workerId = workerId;
    }

    void execute(Step step) {
        long started = System.nanoTime();
        step.state(Step.State.RUNNING);
        step.attempt(1);
        ExecAssignment assignment = step.assignment();
        listener.started(assignment, 1);
        StepResult outcome = attempt(step, new StepContext(assignment, 1, workerId));
        complete(step, outcome, 0, started);
    }

    private StepResult attempt(Step step, StepContext context) {
        long started = System.nanoTime();
        Block<?> block = blocks.find(step.assignment().job()).orElse(null);
        if (block == null) {
            return StepResult.failed(ErrorCode.INVALID_INPUT, "no block for " + step.assignment().job().blockType(), 0);
        }
        try {
            return block.executeUnchecked(step.assignment().job(), context);
        } catch (InterruptedException e) {
            return interrupted(step, elapsedMs(started));
        } catch (RuntimeException e) {
            return StepResult.failed(ErrorCode.INTERNAL_ERROR,
                    "internal error in " + step.assignment().job().blockType() + ": " + e, elapsedMs(started));
        }
    }

    /** The result of a step whose block gave up because it was asked to stop. */
    static StepResult interrupted(Step step, long latencyMs) {
        return switch (step.stopReason().orElse(Step.StopReason.CANCELLED)) {
            case CANCELLED -> StepResult.cancelled("step cancelled", latencyMs);
            case SHUTDOWN -> StepResult.failed(ErrorCode.INTERNAL_ERROR,
                    "worker shut down before the step finished; it may be retried", latencyMs);
        };
    }

    /**
     * Publishes the final result of {@code step}; also used for steps that end without running
     * (evicted from a full queue, cancelled while queued, abandoned at shutdown).
     */
    void complete(Step step, StepResult outcome, int retriesUsed, long startedNanos) {
        if (!step.claimCompletion()) {
            return;  // someone already published this step's one result
        }
        ExecAssignment assignment = step.assignment();
        ExecResult result = ExecResult.of(assignment, outcome, retriesUsed, elapsedMs(startedNanos), clock.millis());
        registry.finish(step, result);
        sink.result(result);
        listener.completed(assignment, result);
        if (result.error() != null && !result.error().isRetryable()) {
            var letter = deadLetters.failed(assignment, result, retriesUsed + 1);
            sink.deadLetter(letter);
            listener.deadLettered(letter);
        }
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
