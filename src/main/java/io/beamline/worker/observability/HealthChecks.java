package io.beamline.worker.observability;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The named checks behind {@code GET /_health} (SPEC §6): the worker is healthy when every
 * check is. Checks are registered at wiring time and evaluated on each request; they must be
 * cheap and non-blocking. A critical error, once reported, keeps the worker unhealthy.
 * Thread-safe.
 */
public final class HealthChecks {

    /** One check's verdict. */
    public record Check(boolean healthy, String message) {
        public static Check ok(String message) {
            return new Check(true, message);
        }

        public static Check failing(String message) {
            return new Check(false, message);
        }
    }

    private final Map<String, Supplier<Check>> checks = new ConcurrentHashMap<>();
    private volatile String criticalError;

    public HealthChecks() {
        register("critical_errors", () -> criticalError == null
                ? Check.ok("none")
                : Check.failing(criticalError));
    }

    public void register(String name, Supplier<Check> check) {
        checks.put(name, check);
    }

    /** Marks the worker unhealthy for good: something happened that an operator must see. */
    public void reportCritical(String message) {
        criticalError = message;
    }

    /** Evaluates every check, in name order. */
    public Map<String, Check> evaluate() {
        Map<String, Check> results = new LinkedHashMap<>();
        checks.keySet().stream().sorted().forEach(name -> {
            Check check;
            try {
                check = checks.get(name).get();
            } catch (RuntimeException e) {
                check = Check.failing("check failed: " + e);
            }
            results.put(name, check);
        });
        return results;
    }

    public static boolean allHealthy(Map<String, Check> results) {
        return results.values().stream().allMatch(Check::healthy);
    }
}
