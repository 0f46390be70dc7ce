package io.beamline.worker.resilience;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;

/**
 * Settings of the policies wrapped around every block (SPEC §5). The feature flags decide which
 * policies are active; these numbers tune them. Validated when built. Immutable.
 *
 * @param baseDelay          first exponential backoff delay ({@code base * 2^attempt})
 * @param maxDelay           cap of one backoff delay
 * @param maxAttempts        attempts per step unless {@code retry_config.max_attempts} says otherwise
 * @param jitter             default jitter: {@code none}, {@code full} or {@code equal}
 * @param retryBudgetRatio   retries to one destination may add at most this fraction to its first attempts
 * @param minRetriesPerWindow retries always allowed per destination and window, so a quiet destination can retry
 * @param breakerFailures    consecutive failures that open a destination's breaker
 * @param breakerSuccesses   successes in half-open state that close it again
 * @param breakerDelay       how long a breaker stays open before it lets a trial call through
 * @param cancelGrace        how long a cancelled step may take to stop by itself before it is forced
 */
public record ResilienceConfig(
        Duration baseDelay,
        Duration maxDelay,
        int maxAttempts,
        Jitter jitter,
        double retryBudgetRatio,
        int minRetriesPerWindow,
        int breakerFailures,
        int breakerSuccesses,
        Duration breakerDelay,
        Duration cancelGrace) {

    /** The baseline's fixed number of attempts (SPEC §5, flag off). */
    public static final int BASELINE_MAX_ATTEMPTS = 3;

    public ResilienceConfig {
        requirePositive("--retry-base-delay-ms", baseDelay.toMillis());
        requirePositive("--retry-max-delay-ms", maxDelay.toMillis());
        if (maxDelay.compareTo(baseDelay) < 0) {
            throw new ConfigException("--retry-max-delay-ms must be >= --retry-base-delay-ms");
        }
        requirePositive("--retry-max-attempts", maxAttempts);
        if (maxAttempts > io.beamline.worker.contract.RetryConfig.MAX_ATTEMPTS) {
            // the same bound as a job's retry_config.max_attempts
            throw new ConfigException("--retry-max-attempts must be at most " + io.beamline.worker.contract.RetryConfig.MAX_ATTEMPTS
                    + ", got " + maxAttempts);
        }
        if (!(retryBudgetRatio >= 0 && retryBudgetRatio <= 10)) {  // NaN too: it compared as no budget at all
            throw new ConfigException("--retry-budget-ratio must be between 0 and 10, got " + retryBudgetRatio);
        }
        if (minRetriesPerWindow < 0) {
            throw new ConfigException("--retry-budget-min-retries must be >= 0, got " + minRetriesPerWindow);
        }
        requirePositive("--breaker-failure-threshold", breakerFailures);
        requirePositive("--breaker-success-threshold", breakerSuccesses);
        requirePositive("--breaker-delay-ms", breakerDelay.toMillis());
        if (cancelGrace.isNegative()) {
            throw new ConfigException("--cancel-grace-ms must be >= 0");
        }
    }

    public static ResilienceConfig defaults() {
        return new ResilienceConfig(Duration.ofMillis(100), Duration.ofSeconds(30), 3, Jitter.FULL,
                // breaker delay 5 s: after an outage ends, a destination is tried again within
                // 5 s (the 10 s recovery target of docs/benchmarks-chaos.md); a trial call that fails
                // while the outage lasts costs one request per destination every 5 s
                0.2, 10, 5, 2, Duration.ofSeconds(5), Duration.ofMillis(200));
    }

    private static void requirePositive(String option, long value) {
        if (value <= 0) {
            throw new ConfigException(option + " must be > 0, got " + value);
        }
    }
}
