package io.beamline.worker.resilience;

import dev.failsafe.CircuitBreaker;
import dev.failsafe.CircuitBreakerOpenException;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.Policy;
import dev.failsafe.RetryPolicy;
import dev.failsafe.Timeout;
import dev.failsafe.TimeoutExceededException;
import io.beamline.worker.config.FeatureFlags;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.StepResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * The policies around every block, composed in one visible chain (SPEC §5):
 *
 * <pre>
 *   Timeout(total budget)          CP2_COMPLETE_TIMEOUT_ENABLED, when job.timeout_ms is given
 *     Retry(backoff, budgets)      always; baseline or CP2_ADVANCED_RETRY_ENABLED
 *       CircuitBreaker(destination) CP2_CIRCUIT_BREAKER_ENABLED
 *         block attempt
 * </pre>
 *
 * The breaker guards each attempt through its standalone API (permit, then the result
 * recorded), and the first attempt of a step without a total timeout runs before Failsafe is
 * involved: most steps take one attempt, and building the policies per step cost a tenth of
 * the pipeline. Retries always go through Failsafe's retry policy.
 *
 * Each step runs the chain on its own thread (a virtual thread for io steps). Thread-safe; the
 * per-step state lives in {@link StepRun}.
 */
public final class PolicyChain {
    private final FeatureFlags flags;
    private final ResilienceConfig config;
    private final CircuitBreakers breakers;
    private final RetryBudget retryBudget;
    private final RandomGenerator random;

    public PolicyChain(FeatureFlags flags, ResilienceConfig config, CircuitBreakers breakers, RetryBudget retryBudget,
                       RandomGenerator random) {
        this.flags = flags;
        this.config = config;
        this.breakers = breakers;
        this.retryBudget = retryBudget;
        this.random = random;
    }

    /** One attempt of the block; returns a result for every failure, {@code Cancelled} when interrupted. */
    @FunctionalInterface
    public interface Attempt {
        StepResult run(int attemptNumber);
    }

    /** Hears about attempts and backoff waits, to keep the step's visible state current. */
    public interface Observer {
        Observer NONE = new Observer() {
        };

        default void attemptStarted(int attemptNumber) {
        }

        default void backingOff(int nextAttempt, Duration delay) {
        }
    }

    /** The final result and how many attempts it took. */
    public record Outcome(StepResult result, int attempts) {
        public int retriesUsed() {
            return Math.max(0, attempts - 1);
        }
    }

    public Outcome execute(ExecAssignment assignment, Attempt attempt, Observer observer) {
        return execute(assignment, attempt, observer, System.nanoTime());
    }

    /** As above, for a step that started at {@code startedNanos} (System.nanoTime): its budget counts from there. */
    public Outcome execute(ExecAssignment assignment, Attempt attempt, Observer observer, long startedNanos) {
        if (assignment.job() instanceof HumanApprovalJob) {
            // An approval keeps its own durable deadline and on_timeout rule; an outer timeout
            // or a retry would cancel or duplicate it.
            observer.attemptStarted(1);
            return new Outcome(attempt.run(1), 1);
        }
        StepRun run = new StepRun(assignment, attempt, observer, startedNanos);
        return run.execute();
    }

    /** Whether a destination's breaker is open right now, and for how long. */
    public Optional<Duration> breakerOpenFor(ExecAssignment assignment) {
        if (!flags.circuitBreaker()) {
            return Optional.empty();
        }
        return Destinations.of(assignment).flatMap(breakers::openFor);
    }

    /** The state of one step's execution through the chain. Confined to the step's thread. */
    private final class StepRun {
        private final ExecAssignment assignment;
        private final Attempt attempt;
        private final Observer observer;
        private final boolean advanced = flags.advancedRetry();
        private final Optional<String> destination;
        private final Backoff backoff;
        private final int maxAttempts;
        private final long startedNanos;
        private int attempts;
        private long lastAttemptNanos;
        private long nextDelayMs;
        private StepResult budgetRefusal;
        /** The result of the latest attempt made, for what a step that ends without another one reports. */
        private StepResult lastResult;
        /** The breaker of the attempt that was cut short, until {@link #recordCutShortAttempt} books it. */
        private CircuitBreaker<StepResult> cutShortOn;
        /** Whether the step's total timeout ended it. */
        private boolean timedOut;

        StepRun(ExecAssignment assignment, Attempt attempt, Observer observer, long startedNanos) {
            this.startedNanos = startedNanos;
            this.assignment = assignment;
            this.attempt = attempt;
            this.observer = observer;
            // only breakers and the destination retry budget need to know where the step goes
            this.destination = flags.circuitBreaker() || flags.advancedRetry() ? Destinations.of(assignment) : Optional.empty();
            this.backoff = advanced ? Backoff.advanced(config, assignment.retry(), random) : Backoff.baseline();
            Integer requested = assignment.retry().maxAttempts();
            this.maxAttempts = advanced ? (requested != null ? requested : config.maxAttempts()) : ResilienceConfig.BASELINE_MAX_ATTEMPTS;
        }

        Outcome execute() {
            try {
                return executeChain();
            } finally {
                recordCutShortAttempt();
            }
        }

        private Outcome executeChain() {
            CircuitBreaker<StepResult> breaker = hasBreaker() ? breakers.forDestination(destination.get()) : null;
            Supplier<StepResult> source = () -> guardedAttempt(breaker);
            if (!hasTotalTimeout()) {
                // Without a total timeout the first attempt runs without Failsafe, and most steps
                // end there (building the policies and the execution for every step cost a tenth
                // of the sandbox worker's pipeline). A result to retry goes on through the retry
                // policy, which takes it as its first attempt's result: delays, budgets, the
                // breaker and the observers see exactly what they saw before.
                StepResult first;
                try {
                    first = guardedAttempt(breaker);
                } catch (CircuitBreakerOpenException e) {
                    return circuitOpen();
                }
                if (!ErrorClassification.shouldRetry(first, advanced)) {
                    return new Outcome(first, attempts);
                }
                source = firstThen(first, breaker);
            }
            try {
                StepResult result = Failsafe.with(policies()).get(source::get);
                return new Outcome(budgetRefusal != null ? budgetRefusal : result, attempts);
            } catch (CircuitBreakerOpenException e) {
                return circuitOpen();
            } catch (TimeoutExceededException e) {
                Thread.interrupted();  // the timeout interrupted the attempt; that interrupt is spent
                timedOut = true;
                return new Outcome(StepResult.timedOut("step exceeded its total budget of "
                        + assignment.job().timeoutMs() + " ms", elapsedMs()), attempts);
            } catch (FailsafeException e) {
                // interrupted while waiting between attempts: a stop request
                return new Outcome(StepResult.cancelled("step stopped while waiting to retry", elapsedMs()), attempts);
            }
        }

        /** The breaker refused the next attempt; when it opened during this step, the error of its last call is kept. */
        private Outcome circuitOpen() {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("destination", destination.orElse(""));
            details.put("circuit_state", "open");
            details.putAll(lastErrorDetails(lastResult));
            return new Outcome(new StepResult.Failed(ExecError.of(ErrorCode.RESOURCE_UNAVAILABLE,
                    "circuit open for " + destination.orElse("destination") + "; no call made", details), elapsedMs()), attempts);
        }

        /**
         * One attempt behind the destination's breaker, the innermost policy of the chain: what
         * Failsafe's breaker executor does (a permit, or {@link CircuitBreakerOpenException}
         * without a call; then the result recorded), through the breaker's own standalone API,
         * so that an attempt made outside Failsafe is counted exactly like one made inside.
         */
        private StepResult guardedAttempt(CircuitBreaker<StepResult> breaker) {
            if (breaker == null) {
                return lastResult = attemptOnce();
            }
            if (!breaker.tryAcquirePermit()) {
                throw new CircuitBreakerOpenException(breaker);
            }
            StepResult result = attemptOnce();
            lastResult = result;
            if (result instanceof StepResult.Cancelled) {
                cutShortOn = breaker;  // by the step's total timeout or by a stop: booked when the step ends
            } else {
                breaker.recordResult(result);
            }
            return result;
        }

        /**
         * Books on its destination's breaker the call that the step's end cut short (interrupted:
         * the attempt answered {@code Cancelled}). Cut by the step's total timeout, it is the
         * destination's failure to answer in time, as a per-call timeout is. Cut by a cancel or a
         * shutdown, it says nothing of the destination and is not counted, except where the
         * breaker must hear of it: a half-open breaker's trial call gets its permit back only by
         * a record, and is booked as failed (nothing showed the destination healthy). It was once
         * booked as a success, so that a hanging destination never opened its breaker and
         * cancelled trial calls closed it.
         */
        private void recordCutShortAttempt() {
            if (cutShortOn != null && (timedOut || cutShortOn.isHalfOpen())) {
                cutShortOn.recordFailure();
            }
            cutShortOn = null;
        }

        private boolean hasTotalTimeout() {
            return flags.completeTimeout() && assignment.job().timeoutMs() != null;
        }

        private boolean hasBreaker() {
            return flags.circuitBreaker() && destination.isPresent();
        }

        private List<Policy<StepResult>> policies() {
            List<Policy<StepResult>> chain = new ArrayList<>(3);
            if (hasTotalTimeout()) {
                chain.add(Timeout.<StepResult>builder(Duration.ofMillis(assignment.job().timeoutMs())).withInterrupt().build());
            }
            chain.add(retryPolicy());  // the breaker is inside the attempt: guardedAttempt
            return chain;
        }

        private RetryPolicy<StepResult> retryPolicy() {
            return RetryPolicy.<StepResult>builder()
                    .handleResultIf(r -> ErrorClassification.shouldRetry(r, advanced))
                    .abortOn(CircuitBreakerOpenException.class)
                    .abortIf((r, e) -> r != null && refuseRetry(r))
                    .withMaxAttempts(maxAttempts)
                    .withDelayFn(ctx -> Duration.ofMillis(nextDelayMs = delayAfter(ctx.getLastResult())))
                    .onRetryScheduled(e -> observer.backingOff(attempts + 1, e.getDelay()))
                    .build();
        }

        /** Hands Failsafe the result of an attempt already made, then makes the next ones. */
        private Supplier<StepResult> firstThen(StepResult first, CircuitBreaker<StepResult> breaker) {
            StepResult[] pending = {first};
            return () -> {
                StepResult made = pending[0];
                if (made != null) {
                    pending[0] = null;
                    return made;
                }
                return guardedAttempt(breaker);
            };
        }

        private StepResult attemptOnce() {
            attempts++;
            if (attempts == 1) {
                destination.filter(d -> advanced).ifPresent(retryBudget::firstAttempt);
            }
            observer.attemptStarted(attempts);
            if (!advanced) {
                return attempt.run(attempts);  // only the advanced retry budget needs the attempt's duration
            }
            long started = System.nanoTime();
            try {
                return attempt.run(attempts);
            } finally {
                lastAttemptNanos = System.nanoTime() - started;
            }
        }

        /** The wait before the next attempt: the backoff, and never sooner than a Retry-After. */
        private long delayAfter(StepResult last) {
            long delay = backoff.delayMs(attempts);
            return advanced && last != null ? Math.max(delay, ErrorClassification.retryAfterMs(last)) : delay;
        }

        /**
         * Decides whether the retry that Failsafe is about to schedule (after the delay it has
         * just computed through {@link #delayAfter}) may happen. Refused when the next attempt
         * could not finish inside the step's budget, or when the destination's retry budget is
         * spent. Baseline retries are never refused.
         */
        private boolean refuseRetry(StepResult result) {
            if (!advanced || !ErrorClassification.shouldRetry(result, true) || attempts >= maxAttempts) {
                return false;
            }
            Long budgetMs = assignment.job().timeoutMs();
            long elapsedMs = elapsedMs();
            long lastAttemptMs = lastAttemptNanos / 1_000_000;
            if (budgetMs != null && elapsedMs + nextDelayMs + lastAttemptMs > budgetMs) {
                // the seeds' rule (W3-1.4): a retry that would overrun the budget is not made,
                // and the step ends as timed out; the message says why it ended this early
                Map<String, Object> details = new LinkedHashMap<>(lastErrorDetails(result));
                details.put("budget_ms", budgetMs);
                details.put("elapsed_ms", elapsedMs);
                details.put("next_delay_ms", nextDelayMs);
                budgetRefusal = new StepResult.TimedOut(ExecError.of(ErrorCode.CANCELLED_BY_TIMEOUT,
                        "retry budget of " + budgetMs + " ms would run out before attempt " + (attempts + 1) + " ends: "
                                + elapsedMs + " ms used, the next attempt would start after " + nextDelayMs
                                + " ms and the last one took " + lastAttemptMs + " ms", details), elapsedMs);
                return true;
            }
            if (destination.isPresent() && !retryBudget.tryRetry(destination.get())) {
                budgetRefusal = withDetail(result, "retry_refused",
                        "retries to " + destination.get() + " are over their share (--retry-budget-ratio)");
                return true;
            }
            return false;
        }

        private static Map<String, Object> lastErrorDetails(StepResult result) {
            if (result == null) {
                return Map.of();
            }
            return result.error()
                    .map(e -> Map.<String, Object>of("last_error_code", e.code().code(), "last_error", e.message()))
                    .orElse(Map.of());
        }

        /** The failure with one more detail, so its reader learns why it was not retried. */
        private static StepResult withDetail(StepResult result, String key, String value) {
            if (!(result instanceof StepResult.Failed failed)) {
                return result;
            }
            Map<String, Object> details = new LinkedHashMap<>(failed.cause().details() == null ? Map.of() : failed.cause().details());
            details.put(key, value);
            ExecError cause = failed.cause();
            return new StepResult.Failed(new ExecError(cause.code(), cause.message(), cause.retryable(), details), failed.latencyMs());
        }

        private long elapsedMs() {
            return (System.nanoTime() - startedNanos) / 1_000_000;
        }
    }
}
