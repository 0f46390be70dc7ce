package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** Per-assignment retry overrides ({@code retry_config}); absent fields take the worker's defaults. */
public record RetryConfig(
        @JsonProperty("max_attempts") Integer maxAttempts,
        @JsonProperty("base_delay_ms") Long baseDelayMs,
        @JsonProperty("max_delay_ms") Long maxDelayMs,
        String jitter) {

    public static final RetryConfig DEFAULTS = new RetryConfig(null, null, null, null);
    /** The most attempts a step may be given, by its {@code retry_config} or the worker's default. */
    public static final int MAX_ATTEMPTS = 100;
}
