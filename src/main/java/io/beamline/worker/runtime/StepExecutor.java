package io.beamline.worker.runtime;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.StepResult;
import io.beamline.worker.contract.StepStatus;
import io.beamline.worker.resilience.PolicyChain;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs an accepted step to its one final result: drives its block through the
 * {@link PolicyChain} (retries, breaker, total timeout), publishes the {@code ExecResult},
 * dead-letters a non-retriable failure, and tells the registry and the listeners. Every path
 * out of here publishes exactly one result. Thread-safe.
 */
public final class StepExecutor {
    private static final Logger log = LoggerFactory.getLogger("worker");

    private final BlockRegistry blocks;
    private final PolicyChain policies;
    private final OutcomeSink sink;
    private final DeadLetters deadLetters;
    private final AssignmentRegistry registry;
    private final StepListener listener;
    private final Clock clock;
    private final String workerId;
    private final TenantQuotas quotas;
    private final StepTracer tracer;
    // epoch ms after which a retry is not waited for (shutting down; Long.MAX_VALUE until then)
    private volatile long retriesEndMs = Long.MAX_VALUE;
    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    public StepExecutor(BlockRegistry blocks, PolicyChain policies, OutcomeSink sink, DeadLetters deadLetters,
                        AssignmentRegistry registry, StepListener listener, Clock clock, String workerId,
                        TenantQuotas quotas, StepTracer tracer) {
        this.quotas = quotas;
        this.tracer = tracer;
        this.blocks = blocks;
        this.policies = policies;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.registry = registry;
        this.listener = listener;
        this.clock = clock;
        this.workerId = workerId;
    }

    void execute(Step step) {
        // an approval's latency is from its acceptance, also when a restarted worker resumed it
        long started = step.assignment().job() instanceof HumanApprovalJob ? step.acceptedNanos() : System.nanoTime();
        // the JVM measures no CPU time for virtual threads (-1), but asking still cost ~60 ns a call
        long cpuStarted = Thread.currentThread().isVirtual() ? -1 : THREADS.getCurrentThreadCpuTime();
        ExecAssignment assignment = step.assignment();
        StepTracer.Span span = tracer.startChild(step.receiveSpan(), StepTracer.EXECUTE, assignment);
        PolicyChain.Outcome outcome;
        try {
            outcome = policies.execute(assignment, attempt -> attempt(step, attempt, started), observer(step), started);
            outcome.result().error().ifPresent(error -> span.fail(error.code().code() + " " + error.message()));
        } finally {
            span.end();
        }
        // A stop that interrupted the step (its retry wait, its block) is answered by this
        // outcome; neither its flag nor a later stop may reach the result's publish (jnats drops
        // a publish made from an interrupted thread), logging or tracing.
        step.endInterruptiblePart();
        long ended = System.nanoTime();  // one clock read for the quota's charge and the result's latency
        step.cpuMs(cpuMs(cpuStarted, started, ended, assignment));
        if (outcome.result() instanceof StepResult.Cancelled && step.stopReason().orElse(null) == Step.StopReason.SHUTDOWN
                && (step.delivery().handBack(Duration.ofMillis(100)) || assignment.job() instanceof HumanApprovalJob)) {
            // An approval stays pending in its durable store and the restarted worker resumes it;
            // a JetStream message goes back to the stream for another worker (an approval's only
            // when it was not stored yet: once it was, its message is settled and stays so).
            // Either way the one result comes from there, not from here.
            handedBack(step);
            return;
        }
        StepResult result = outcome.result() instanceof StepResult.Cancelled
                ? interrupted(step, outcome.result().latencyMs())
                : outcome.result();
        complete(step, result, outcome.retriesUsed(), started, ended);
    }

    /**
     * CPU time of the step for the tenant's quota: measured on platform threads; on virtual
     * threads the JVM cannot measure it, so the wall time of io and gpu steps is charged
     * instead (an upper bound). Waiting for approvals costs nothing.
     */
    private static long cpuMs(long cpuStartedNanos, long startedNanos, long endedNanos, ExecAssignment assignment) {
        if (assignment.job() instanceof HumanApprovalJob) {
            return 0;
        }
        long cpuNow = cpuStartedNanos >= 0 ? THREADS.getCurrentThreadCpuTime() : -1;
        return cpuNow >= 0
                ? (cpuNow - cpuStartedNanos) / 1_000_000
                : (endedNanos - startedNanos) / 1_000_000;
    }

    private PolicyChain.Observer observer(Step step) {
        return new PolicyChain.Observer() {
            @Override
            public void attemptStarted(int attemptNumber) {
                if (attemptNumber > 1) {
                    // back from a backoff: wait for a slot (shown as backing off meanwhile); an
                    // interrupt ends the wait without one, and the attempt then does not run
                    step.reclaimSlot();
                }
                step.attempt(attemptNumber);
                step.state(step.assignment().job() instanceof HumanApprovalJob ? Step.State.WAITING : Step.State.RUNNING);
                listener.started(step.assignment(), attemptNumber);
            }

            @Override
            public void backingOff(int nextAttempt, Duration delay) {
                long until = clock.millis() + delay.toMillis();
                step.backingOff(until);
                step.yieldSlot();  // other steps use the slot while this one waits
                if (until > retriesEndMs) {
                    // shutting down, and the next attempt would come after the grace period:
                    // the wait that follows ends at once (see Coordinator.startDraining)
                    step.requestStop(Step.StopReason.SHUTDOWN);
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    /** Whether the step's destination is behind an open breaker, and for how long still. */
    java.util.Optional<Duration> breakerOpenFor(ExecAssignment assignment) {
        return policies.breakerOpenFor(assignment);
    }

    /**
     * One attempt of the step's block; never throws. A block that throws is charged the time
     * since the step started ({@code stepStartedNanos}): timing every attempt for that rare case
     * cost a clock read per step.
     */
    private StepResult attempt(Step step, int attemptNumber, long stepStartedNanos) {
        ExecAssignment assignment = step.assignment();
        if (step.lostSlot()) {
            return StepResult.cancelled("step stopped while waiting for a slot to retry", elapsedMs(stepStartedNanos));
        }
        Block<?> block = blocks.find(assignment.job()).orElse(null);
        if (block == null) {
            return StepResult.failed(ErrorCode.INVALID_INPUT, "no block for " + assignment.job().blockType(), 0);
        }
        // a block that keeps the step durably itself (an approval, once stored) has its message
        // settled then; the delivery is read at that moment, so an adopted redelivery is the one settled
        StepContext context = new StepContext(assignment, attemptNumber, workerId, () -> step.stopReason().isPresent(),
                () -> step.delivery().settle(Optional.empty()));
        try {
            StepResult result = block.executeUnchecked(assignment.job(), context);
            result.error().ifPresent(step::lastError);
            return result;
        } catch (InterruptedException e) {
            return StepResult.cancelled("step interrupted", elapsedMs(stepStartedNanos));
        } catch (RuntimeException e) {
            return StepResult.failed(ErrorCode.INTERNAL_ERROR,
                    "internal error in " + assignment.job().blockType() + ": " + e, elapsedMs(stepStartedNanos));
        }
    }

    /** From now on, a retry due after {@code deadlineMs} (epoch ms) is not waited for: the step stops instead. */
    void stopRetriesAfter(long deadlineMs) {
        retriesEndMs = deadlineMs;
    }

    /** Lets go of a step that another process will finish: no result from this worker. */
    void handedBack(Step step) {
        if (step.claimCompletion()) {
            quotas.finished(step.tenantId(), step.payloadBytes(), step.cpuMs());
            registry.forget(step);
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
        complete(step, outcome, retriesUsed, startedNanos, System.nanoTime());
    }

    private void complete(Step step, StepResult outcome, int retriesUsed, long startedNanos, long endedNanos) {
        if (!step.claimCompletion()) {
            return;  // someone already published this step's one result
        }
        ExecAssignment assignment = step.assignment();
        long latencyMs = (endedNanos - startedNanos) / 1_000_000;
        ExecResult result = ExecResult.of(assignment, outcome, retriesUsed, latencyMs, clock.millis());
        StepTracer.Span publish = tracer.startChild(step.receiveSpan(), StepTracer.PUBLISH, assignment);
        CompletableFuture<Void> published;
        try {
            published = sink.result(result, step.delivery().sequence());
        } catch (OutcomeTooLargeException e) {
            // the output cannot travel: the step fails, saying why, instead of never answering
            result = ExecResult.of(assignment, new StepResult.Failed(ExecError.of(ErrorCode.EXECUTION_FAILED,
                    e.getMessage() + "; " + lessOutputHint(assignment.job().blockType()),
                    java.util.Map.of("result_size_bytes", e.sizeBytes(), "max_message_bytes", e.limitBytes())), latencyMs),
                    retriesUsed, latencyMs, result.completedAt());
            published = sink.result(result, step.delivery().sequence());
        } finally {
            publish.end();
        }
        listener.completed(assignment, result, step.receiveSpan().sampledTraceIdOr(assignment.traceId()));
        // a step the Router cancelled is not a failure anyone needs to look at again
        if (result.error() != null && !result.error().isRetryable() && result.status() != StepStatus.CANCELLED) {
            try {
                var letter = deadLetters.failed(assignment, result, retriesUsed + 1, step.payload());
                published = CompletableFuture.allOf(published, sink.deadLetter(letter));
                listener.deadLettered(letter);
            } catch (RuntimeException | StackOverflowError e) {
                // the result is out; a dead letter that cannot even be written must not keep the
                // step from finishing (it did once: a payload's tree too deep to write back)
                log.error("dead letter of {} not published: {}", assignment.assignmentId(), e.toString());
            }
        }
        if (!published.isDone() || published.isCompletedExceptionally()) {
            // a durable transport's outcome is not stored yet: hold the whole result until it is,
            // for a redelivery to publish again (core NATS publishes are done at once: nothing held).
            // Before registry.finish, so a redelivery that no longer finds the step running finds this.
            registry.holdUntilStored(result, published);
        }
        Delivery.settleWhenPublished(step::delivery, Optional.of(result), published);
        if (assignment.job() instanceof HumanApprovalJob) {
            releaseWhenOut(assignment, published);
        }
        quotas.finished(assignment.tenantId(), step.payloadBytes(), step.cpuMs());
        registry.finish(step, result);  // last: "idle" must mean every result is out
    }

    /**
     * Tells an approval's block once the step's result is out for good: published and, for core
     * NATS, flushed to the server (a publish still in the client's buffer dies with the process),
     * or stored by JetStream. Only then does the approval store stop resuming the step at start;
     * a worker killed before that publishes the result again when it restarts (docs/blocks.md,
     * "Restarts"). Not for every step: the flush costs a round trip.
     */
    private void releaseWhenOut(ExecAssignment assignment, CompletableFuture<Void> published) {
        Block<?> block = blocks.find(assignment.job()).orElse(null);
        if (block == null) {
            return;
        }
        published.thenCompose(done -> sink.flushed()).whenComplete((done, failure) -> {
            if (failure != null) {
                log.warn("result of approval {} not known to be out ({}); it is published again at the next start",
                        assignment.assignmentId(), failure.toString());
                return;
            }
            try {
                block.resultPublished(assignment);
            } catch (RuntimeException e) {
                log.warn("approval {} not marked finished ({}); its result is published again at the next start",
                        assignment.assignmentId(), e.toString());
            }
        });
    }

    private static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** How a step of this block type can produce less output, for the error of one whose result could not travel. */
    static String lessOutputHint(String blockType) {
        return switch (blockType) {
            case "http.request" -> "stream the body to a file with response_to_path";
            case "fs.get" -> "the worker's --fs-max-inline-bytes is set above what one message holds";
            case "sql.query" -> "select fewer rows (max_rows) or columns";
            default -> "have the step return less";
        };
    }
}
