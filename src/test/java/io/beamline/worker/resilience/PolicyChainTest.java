package io.beamline.worker.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.config.FeatureFlags;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.StepResult;
import io.beamline.worker.contract.StepStatus;
import io.beamline.worker.support.Assignments;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The policy chain around a scripted attempt: attempt counts, delays, budgets, breakers. */
class PolicyChainTest {
    private static final FeatureFlags ADVANCED = new FeatureFlags(true, false, false, false, false, false);
    private static final FeatureFlags ALL = new FeatureFlags(true, true, true, true, true, true);

    private final List<Long> attemptTimes = new CopyOnWriteArrayList<>();

    private PolicyChain chain(FeatureFlags flags, ResilienceConfig config) {
        return new PolicyChain(flags, config, new CircuitBreakers(config, (d, s) -> { }),
                new RetryBudget(config.retryBudgetRatio(), config.minRetriesPerWindow(), Duration.ofSeconds(10), System::nanoTime),
                RandomGenerator.getDefault());
    }

    private PolicyChain.Attempt failingWith(StepResult result) {
        return n -> {
            attemptTimes.add(System.nanoTime());
            return result;
        };
    }

    private static StepResult error(ErrorCode code, boolean retryable) {
        return new StepResult.Failed(new ExecError(code, code.name(), retryable, Map.of()), 1);
    }

    private static StepResult http(int status, Long retryAfterMs) {
        Map<String, Object> details = retryAfterMs == null ? Map.of("status_code", status)
                : Map.of("status_code", status, "retry_after_ms", retryAfterMs);
        return new StepResult.Failed(new ExecError(ErrorCode.HTTP_ERROR, "HTTP " + status, status >= 500 || status == 429, details), 1);
    }

    private static ExecAssignment assignment(String jobJson, String retryConfig) {
        ObjectNode node = Assignments.withJob(jobJson);
        if (retryConfig != null) {
            try {
                node.set("retry_config", io.beamline.worker.contract.Json.mapper().readTree(retryConfig));
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return ((Decoded.Valid) new AssignmentDecoder().decode(Assignments.bytes(node))).assignment();
    }

    private static ExecAssignment http(String url, Long timeoutMs, String retryConfig) {
        return assignment("{\"type\":\"http.request\",\"url\":\"" + url + "\"" + (timeoutMs == null ? "" : ",\"timeout_ms\":" + timeoutMs) + "}", retryConfig);
    }

    private List<Long> gapsMs() {
        return java.util.stream.IntStream.range(1, attemptTimes.size())
                .mapToObj(i -> (attemptTimes.get(i) - attemptTimes.get(i - 1)) / 1_000_000).toList();
    }

    @Test
    void baselineRetriesEveryErrorThreeTimesWithFixedBackoff() {
        PolicyChain.Outcome outcome = chain(FeatureFlags.BASELINE, ResilienceConfig.defaults())
                .execute(http("http://a", null, null), failingWith(http(404, null)), PolicyChain.Observer.NONE);

        assertThat(outcome.attempts()).isEqualTo(3);
        assertThat(outcome.retriesUsed()).isEqualTo(2);
        assertThat(outcome.result().status()).isEqualTo(StepStatus.ERROR);
        List<Long> gaps = gapsMs();
        assertThat(gaps.get(0)).isBetween(95L, 1000L);   // 100 ms
        assertThat(gaps.get(1)).isBetween(195L, 1100L);  // 200 ms
    }

    @Test
    void baselineIgnoresRetryConfigAndSucceedsWhenAnAttemptDoes() {
        int[] calls = {0};
        PolicyChain.Outcome outcome = chain(FeatureFlags.BASELINE, ResilienceConfig.defaults()).execute(
                http("http://a", null, "{\"max_attempts\":10}"),
                n -> ++calls[0] < 2 ? error(ErrorCode.NETWORK_ERROR, true) : new StepResult.Succeeded("ok", 1),
                PolicyChain.Observer.NONE);

        assertThat(outcome.result().status()).isEqualTo(StepStatus.SUCCESS);
        assertThat(outcome.attempts()).isEqualTo(2);
    }

    @Test
    void advancedRetryDoesNotRetryNonRetryableErrors() {
        PolicyChain.Outcome outcome = chain(ADVANCED, ResilienceConfig.defaults())
                .execute(http("http://a", null, null), failingWith(http(404, null)), PolicyChain.Observer.NONE);

        assertThat(outcome.attempts()).isEqualTo(1);
    }

    @Test
    void advancedRetryBacksOffExponentially() {
        PolicyChain.Outcome outcome = chain(ADVANCED, ResilienceConfig.defaults()).execute(
                http("http://a", null, "{\"max_attempts\":4,\"jitter\":\"none\",\"base_delay_ms\":50}"),
                failingWith(http(503, null)), PolicyChain.Observer.NONE);

        assertThat(outcome.attempts()).isEqualTo(4);
        List<Long> gaps = gapsMs();
        assertThat(gaps.get(0)).isBetween(45L, 800L);    // 50
        assertThat(gaps.get(1)).isBetween(95L, 900L);    // 100
        assertThat(gaps.get(2)).isBetween(195L, 1000L);  // 200
    }

    @Test
    void advancedRetryHonoursRetryAfterButNeverBeyondTheBudget() {
        PolicyChain.Outcome outcome = chain(ADVANCED, ResilienceConfig.defaults()).execute(
                http("http://a", 5000L, "{\"max_attempts\":2,\"jitter\":\"none\"}"),
                failingWith(http(429, 300L)), PolicyChain.Observer.NONE);

        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(gapsMs().getFirst()).isGreaterThanOrEqualTo(295L);

        attemptTimes.clear();
        PolicyChain.Outcome tooLate = chain(ADVANCED, ResilienceConfig.defaults()).execute(
                http("http://a", 1000L, "{\"max_attempts\":2}"), failingWith(http(503, 60_000L)), PolicyChain.Observer.NONE);

        assertThat(tooLate.attempts()).isEqualTo(1);
        assertThat(tooLate.result().status()).isEqualTo(StepStatus.TIMEOUT);
        ExecError refusal = tooLate.result().error().orElseThrow();
        assertThat(refusal.message()).as("says why it ended before the budget was used")
                .startsWith("retry budget of 1000 ms would run out before attempt 2 ends").contains("after 60000 ms");
        assertThat(refusal.details()).containsEntry("last_error_code", 3003).containsEntry("budget_ms", 1000L)
                .containsEntry("next_delay_ms", 60_000L).containsKey("elapsed_ms");
    }

    @Test
    void retryStopsWhenTheBudgetIsSpent() {
        long started = System.nanoTime();
        PolicyChain.Outcome outcome = chain(ADVANCED, ResilienceConfig.defaults()).execute(
                http("http://a", 1000L, "{\"max_attempts\":50,\"jitter\":\"none\"}"),
                n -> {
                    sleep(300);
                    return http(503, null);
                }, PolicyChain.Observer.NONE);

        long tookMs = (System.nanoTime() - started) / 1_000_000;
        assertThat(outcome.result().status()).isEqualTo(StepStatus.TIMEOUT);
        assertThat(outcome.result().error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
        assertThat(tookMs).isLessThan(1000 + 300);
        assertThat(outcome.attempts()).isBetween(2, 3);
    }

    @Test
    void completeTimeoutEndsAStepAtItsTotalBudgetEvenMidAttempt() {
        long started = System.nanoTime();
        PolicyChain.Outcome outcome = chain(new FeatureFlags(false, true, false, false, false, false), ResilienceConfig.defaults())
                .execute(http("http://a", 500L, null), n -> {
                    try {
                        Thread.sleep(10_000);
                        return new StepResult.Succeeded("late", 10_000);
                    } catch (InterruptedException e) {
                        return StepResult.cancelled("interrupted", 0);
                    }
                }, PolicyChain.Observer.NONE);

        assertThat(outcome.result().status()).isEqualTo(StepStatus.TIMEOUT);
        assertThat((System.nanoTime() - started) / 1_000_000).isLessThan(2000);
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void breakerOpensAfterConsecutiveFailuresAndFailsFastWithoutCalling() {
        ResilienceConfig config = withBreaker(3, Duration.ofSeconds(30));
        PolicyChain chain = chain(new FeatureFlags(false, false, false, false, true, false), config);
        for (int i = 0; i < 3; i++) {
            chain.execute(http("http://dead:81", null, null), n -> error(ErrorCode.NETWORK_ERROR, true), PolicyChain.Observer.NONE);
        }
        int[] calls = {0};

        PolicyChain.Outcome outcome = chain.execute(http("http://dead:81/other", null, null),
                n -> { calls[0]++; return new StepResult.Succeeded("x", 0); }, PolicyChain.Observer.NONE);

        assertThat(calls[0]).isZero();
        assertThat(outcome.result().error().orElseThrow().code()).isEqualTo(ErrorCode.RESOURCE_UNAVAILABLE);
        assertThat(chain.breakerOpenFor(http("http://dead:81", null, null))).isPresent();
        PolicyChain.Outcome other = chain.execute(http("http://alive:81", null, null),
                n -> new StepResult.Succeeded("x", 0), PolicyChain.Observer.NONE);
        assertThat(other.result().status()).isEqualTo(StepStatus.SUCCESS);
    }

    @Test
    void breakerLetsATrialThroughAfterTheDelayAndClosesOnSuccess() {
        ResilienceConfig config = withBreaker(2, Duration.ofMillis(200));
        PolicyChain chain = chain(new FeatureFlags(true, false, false, false, true, false), config);
        ExecAssignment once = http("http://flaky:82", null, "{\"max_attempts\":1}");
        chain.execute(once, n -> error(ErrorCode.NETWORK_ERROR, true), PolicyChain.Observer.NONE);
        chain.execute(once, n -> error(ErrorCode.NETWORK_ERROR, true), PolicyChain.Observer.NONE);
        assertThat(chain.breakerOpenFor(once)).isPresent();

        sleep(300);
        PolicyChain.Outcome trial = chain.execute(once, n -> new StepResult.Succeeded("ok", 0), PolicyChain.Observer.NONE);
        chain.execute(once, n -> new StepResult.Succeeded("ok", 0), PolicyChain.Observer.NONE);

        assertThat(trial.result().status()).isEqualTo(StepStatus.SUCCESS);
        assertThat(chain.breakerOpenFor(once)).isEmpty();
    }

    /** An attempt that waits until its thread is interrupted, then answers as a block does. */
    private static StepResult hangUntilInterrupted(int attemptNumber) {
        try {
            Thread.sleep(30_000);
            return new StepResult.Succeeded("late", 30_000);
        } catch (InterruptedException e) {
            return StepResult.cancelled("interrupted", 0);
        }
    }

    /** Runs a step whose call hangs on a thread of its own, and stops it (a cancel) once it calls. */
    private static PolicyChain.Outcome cancelledMidCall(PolicyChain chain, ExecAssignment assignment) throws Exception {
        java.util.concurrent.CountDownLatch calling = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<PolicyChain.Outcome> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        Thread step = Thread.ofVirtual().start(() -> outcome.set(chain.execute(assignment, n -> {
            calling.countDown();
            return hangUntilInterrupted(n);
        }, PolicyChain.Observer.NONE)));
        calling.await();
        sleep(50);
        step.interrupt();
        step.join(5000);
        return outcome.get();
    }

    @Test
    void callsCutShortByTheStepsTotalTimeoutAreFailuresOfTheDestinationAndOpenItsBreaker() {
        PolicyChain chain = chain(new FeatureFlags(false, true, false, false, true, false), withBreaker(2, 1, Duration.ofSeconds(30)));
        ExecAssignment hanging = http("http://hanging:83", 100L, null);
        for (int i = 0; i < 2; i++) {
            assertThat(chain.execute(hanging, PolicyChainTest::hangUntilInterrupted, PolicyChain.Observer.NONE).result().status())
                    .isEqualTo(StepStatus.TIMEOUT);
        }
        int[] calls = {0};

        PolicyChain.Outcome third = chain.execute(hanging, n -> { calls[0]++; return new StepResult.Succeeded("x", 0); },
                PolicyChain.Observer.NONE);

        assertThat(chain.breakerOpenFor(hanging)).as("open after two calls that never answered").isPresent();
        assertThat(calls[0]).isZero();
        assertThat(third.result().error().orElseThrow().code()).isEqualTo(ErrorCode.RESOURCE_UNAVAILABLE);
    }

    @Test
    void aCancelledCallIsNoSuccessOrFailureOfItsDestinationWhileTheBreakerIsClosed() throws Exception {
        PolicyChain chain = chain(new FeatureFlags(true, false, false, false, true, false), withBreaker(2, 1, Duration.ofSeconds(30)));
        ExecAssignment once = http("http://slow:84", null, "{\"max_attempts\":1}");
        chain.execute(once, n -> error(ErrorCode.NETWORK_ERROR, true), PolicyChain.Observer.NONE);

        assertThat(cancelledMidCall(chain, once).result().status()).isEqualTo(StepStatus.CANCELLED);
        assertThat(chain.breakerOpenFor(once)).as("a cancel is not a failure").isEmpty();

        chain.execute(once, n -> error(ErrorCode.NETWORK_ERROR, true), PolicyChain.Observer.NONE);
        assertThat(chain.breakerOpenFor(once)).as("nor a success: the two failures were consecutive").isPresent();
    }

    @Test
    void aCancelledTrialCallDoesNotCloseAHalfOpenBreaker() throws Exception {
        PolicyChain chain = chain(new FeatureFlags(true, false, false, false, true, false), withBreaker(2, 1, Duration.ofMillis(200)));
        ExecAssignment once = http("http://flaky:85", null, "{\"max_attempts\":1}");
        chain.execute(once, n -> error(ErrorCode.NETWORK_ERROR, true), PolicyChain.Observer.NONE);
        chain.execute(once, n -> error(ErrorCode.NETWORK_ERROR, true), PolicyChain.Observer.NONE);
        sleep(300);

        assertThat(cancelledMidCall(chain, once).result().status()).isEqualTo(StepStatus.CANCELLED);

        assertThat(chain.breakerOpenFor(once)).as("the trial proved nothing: open again").isPresent();
        sleep(300);
        PolicyChain.Outcome next = chain.execute(once, n -> new StepResult.Succeeded("ok", 0), PolicyChain.Observer.NONE);
        assertThat(next.result().status()).as("its permit was given back: the next trial runs").isEqualTo(StepStatus.SUCCESS);
        assertThat(chain.breakerOpenFor(once)).isEmpty();
    }

    @Test
    void fourHundredsDoNotOpenTheBreaker() {
        PolicyChain chain = chain(new FeatureFlags(true, false, false, false, true, false), withBreaker(2, Duration.ofSeconds(30)));
        ExecAssignment once = http("http://strict:83", null, "{\"max_attempts\":1}");
        for (int i = 0; i < 5; i++) {
            chain.execute(once, n -> http(404, null), PolicyChain.Observer.NONE);
        }

        assertThat(chain.breakerOpenFor(once)).isEmpty();
    }

    @Test
    void destinationRetryBudgetCapsRetriesAcrossSteps() {
        ResilienceConfig config = new ResilienceConfig(Duration.ofMillis(1), Duration.ofMillis(1), 3, Jitter.NONE,
                0.2, 2, 5, 2, Duration.ofSeconds(30), Duration.ofMillis(200));
        PolicyChain chain = chain(ADVANCED, config);
        int total = 0;
        PolicyChain.Outcome refused = null;
        for (int i = 0; i < 50; i++) {
            PolicyChain.Outcome outcome = chain.execute(http("http://storm:84", null, null), n -> http(503, null), PolicyChain.Observer.NONE);
            total += outcome.attempts();
            refused = outcome.attempts() == 1 ? outcome : refused;
        }

        int retries = total - 50;
        assertThat(retries).isLessThanOrEqualTo((int) (0.2 * 50) + 2);
        assertThat(refused).as("a step refused its retry").isNotNull();
        assertThat(refused.result().error().orElseThrow().details()).as("the result says why it was not retried")
                .containsEntry("status_code", 503).containsKey("retry_refused");
    }

    @Test
    void aBreakerOpeningDuringAStepKeepsTheErrorOfItsLastCall() {
        ResilienceConfig config = withBreaker(2, Duration.ofSeconds(30));
        PolicyChain chain = chain(new FeatureFlags(true, false, false, false, true, false), config);

        PolicyChain.Outcome outcome = chain.execute(http("http://sinking:85", null, "{\"max_attempts\":5,\"base_delay_ms\":1}"),
                n -> http(503, null), PolicyChain.Observer.NONE);

        ExecError error = outcome.result().error().orElseThrow();
        assertThat(outcome.attempts()).isEqualTo(2);
        assertThat(error.code()).isEqualTo(ErrorCode.RESOURCE_UNAVAILABLE);
        assertThat(error.details()).containsEntry("circuit_state", "open").containsEntry("last_error_code", 3003)
                .containsKey("last_error");
    }

    @Test
    void jitterSpreadsRetriesOfStepsFailingTogether() {
        // given: 100 steps that failed at the same moment, each about to wait before retry 1
        Backoff full = Backoff.advanced(ResilienceConfig.defaults(), new io.beamline.worker.contract.RetryConfig(null, 1000L, null, "full"),
                RandomGenerator.getDefault());
        Backoff equal = Backoff.advanced(ResilienceConfig.defaults(), new io.beamline.worker.contract.RetryConfig(null, 1000L, null, "equal"),
                RandomGenerator.getDefault());

        // when / then: their delays spread like the jitter's distribution, not in lock-step
        assertSpread(java.util.stream.IntStream.range(0, 100).mapToObj(i -> full.delayMs(1)).toList(), 0, 1000, 500, 200);
        assertSpread(java.util.stream.IntStream.range(0, 100).mapToObj(i -> equal.delayMs(1)).toList(), 500, 1000, 750, 100);
    }

    private static void assertSpread(List<Long> delays, long min, long max, double expectedMean, double minSd) {
        double mean = delays.stream().mapToLong(Long::longValue).average().orElseThrow();
        double sd = Math.sqrt(delays.stream().mapToDouble(d -> (d - mean) * (d - mean)).average().orElseThrow());
        assertThat(delays).allMatch(d -> d >= min && d <= max);
        assertThat(delays.stream().distinct().count()).isGreaterThan(50);
        assertThat(mean).isBetween(expectedMean - (max - min) * 0.15, expectedMean + (max - min) * 0.15);
        assertThat(sd).isGreaterThan(minSd);
    }

    @Test
    void aStepSleepingBetweenRetriesEndsPromptlyWhenInterrupted() throws Exception {
        PolicyChain chain = chain(FeatureFlags.BASELINE, ResilienceConfig.defaults());
        ExecAssignment assignment = http("http://a", null, null);
        java.util.concurrent.atomic.AtomicReference<PolicyChain.Outcome> outcome = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.CountDownLatch waiting = new java.util.concurrent.CountDownLatch(1);
        Thread step = Thread.ofVirtual().start(() -> outcome.set(chain.execute(assignment, n -> error(ErrorCode.NETWORK_ERROR, true),
                new PolicyChain.Observer() {
                    @Override
                    public void backingOff(int next, Duration delay) {
                        waiting.countDown();
                    }
                })));
        waiting.await();

        long interrupted = System.nanoTime();
        step.interrupt();
        step.join(5000);

        assertThat((System.nanoTime() - interrupted) / 1_000_000).isLessThan(100);
        assertThat(outcome.get().result().status()).isEqualTo(StepStatus.CANCELLED);
    }

    private static ResilienceConfig withBreaker(int failures, Duration delay) {
        return withBreaker(failures, 1, delay);
    }

    private static ResilienceConfig withBreaker(int failures, int successes, Duration delay) {
        return new ResilienceConfig(Duration.ofMillis(10), Duration.ofMillis(10), 1, Jitter.NONE, 0.2, 10, failures, successes, delay,
                Duration.ofMillis(200));
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
