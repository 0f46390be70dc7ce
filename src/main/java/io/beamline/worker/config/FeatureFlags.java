package io.beamline.worker.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The {@code CP2_*} feature flags of SPEC §5, read once from the environment at start-up. All
 * default to off (the CP1 baseline); {@code true}, {@code 1} and {@code yes} in any case turn a
 * flag on. Immutable.
 */
public record FeatureFlags(
        boolean advancedRetry,
        boolean completeTimeout,
        boolean cancellation,
        boolean queueManagement,
        boolean circuitBreaker,
        boolean observabilityMetrics) {

    public static final String ADVANCED_RETRY = "CP2_ADVANCED_RETRY_ENABLED";
    public static final String COMPLETE_TIMEOUT = "CP2_COMPLETE_TIMEOUT_ENABLED";
    public static final String CANCELLATION = "CP2_CANCELLATION_ENABLED";
    public static final String QUEUE_MANAGEMENT = "CP2_QUEUE_MANAGEMENT_ENABLED";
    public static final String CIRCUIT_BREAKER = "CP2_CIRCUIT_BREAKER_ENABLED";
    public static final String OBSERVABILITY_METRICS = "CP2_OBSERVABILITY_METRICS_ENABLED";

    public static final FeatureFlags BASELINE = new FeatureFlags(false, false, false, false, false, false);

    public static FeatureFlags fromEnvironment(Map<String, String> env) {
        for (String flag : List.of(ADVANCED_RETRY, COMPLETE_TIMEOUT, CANCELLATION, QUEUE_MANAGEMENT, CIRCUIT_BREAKER,
                OBSERVABILITY_METRICS)) {
            if (onOff(env.get(flag)).isEmpty()) {
                // SPEC §5: anything but true/1/yes is off; an operator who wrote "on" should hear it
                LoggerFactory.getLogger("config").warn("{}={} is not true, 1 or yes: the flag is off", flag, env.get(flag));
            }
        }
        return new FeatureFlags(
                enabled(env.get(ADVANCED_RETRY)),
                enabled(env.get(COMPLETE_TIMEOUT)),
                enabled(env.get(CANCELLATION)),
                enabled(env.get(QUEUE_MANAGEMENT)),
                enabled(env.get(CIRCUIT_BREAKER)),
                enabled(env.get(OBSERVABILITY_METRICS)));
    }

    /** SPEC §5: case-insensitive {@code true}/{@code 1}/{@code yes}; anything else is off. */
    static boolean enabled(String value) {
        return onOff(value).orElse(false);
    }

    /**
     * An on/off value, the one reading of every switch in the environment: {@code true},
     * {@code 1}, {@code yes} are on; {@code false}, {@code 0}, {@code no} and nothing at all are
     * off (any case, blanks around ignored); anything else is neither (empty).
     */
    static Optional<Boolean> onOff(String value) {
        if (value == null || value.isBlank()) {
            return Optional.of(false);
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> Optional.of(true);
            case "false", "0", "no" -> Optional.of(false);
            default -> Optional.empty();
        };
    }
}
