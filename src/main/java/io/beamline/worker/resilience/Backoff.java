package io.beamline.worker.resilience;

import io.beamline.worker.contract.RetryConfig;
import java.util.random.RandomGenerator;

/**
 * The delay before retry number {@code n} (n = 1 for the first retry), per SPEC §5. Baseline:
 * fixed {@code 100 * n} ms (100, 200, …). Advanced: {@code base * 2^(n-1)} capped at the max
 * delay, then jittered. Stateless apart from the injected random source; thread-safe when it is.
 */
public final class Backoff {
    private static final long BASELINE_STEP_MS = 100;
    /** Baseline backoff has no jitter and no state: one instance serves every step (looking the
     *  default random generator up by name per step was 2 % of the sandbox profile). */
    private static final Backoff BASELINE = new Backoff(false, BASELINE_STEP_MS, Long.MAX_VALUE, Jitter.NONE, null);

    private final boolean advanced;
    private final long baseMs;
    private final long maxMs;
    private final Jitter jitter;
    private final RandomGenerator random;

    private Backoff(boolean advanced, long baseMs, long maxMs, Jitter jitter, RandomGenerator random) {
        this.advanced = advanced;
        this.baseMs = baseMs;
        this.maxMs = maxMs;
        this.jitter = jitter;
        this.random = random;
    }

    public static Backoff baseline() {
        return BASELINE;
    }

    /** Exponential backoff with the worker's defaults overridden by the assignment's {@code retry_config}. */
    public static Backoff advanced(ResilienceConfig config, RetryConfig overrides, RandomGenerator random) {
        long base = overrides.baseDelayMs() != null ? overrides.baseDelayMs() : config.baseDelay().toMillis();
        long max = overrides.maxDelayMs() != null ? overrides.maxDelayMs() : config.maxDelay().toMillis();
        Jitter jitter = Jitter.parse(overrides.jitter()).orElse(config.jitter());
        return new Backoff(true, base, Math.max(base, max), jitter, random);
    }

    public long delayMs(int retry) {
        if (!advanced) {
            return BASELINE_STEP_MS * retry;
        }
        long raw = Math.min(baseMs, maxMs);
        for (int i = 1; i < retry && raw < maxMs; i++) {
            raw = Math.min(maxMs, raw * 2);  // doubling a capped value cannot overflow
        }
        return jitter.apply(raw, random);
    }
}
