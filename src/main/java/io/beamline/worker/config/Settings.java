package io.beamline.worker.config;

import java.util.Map;
import java.util.function.Function;

/**
 * Resolves one setting: the command-line value when given, else the environment variable, else
 * the default. A value from the environment that does not parse is a {@link ConfigException}
 * naming both the option and the variable.
 */
final class Settings {
    private final Map<String, String> env;

    Settings(Map<String, String> env) {
        this.env = env;
    }

    <T> T resolve(String option, T flagValue, String envVar, Function<String, T> parse, T fallback) {
        if (flagValue != null) {
            return flagValue;
        }
        String raw = envVar == null ? null : env.get(envVar);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return parse.apply(raw.trim());
        } catch (RuntimeException e) {
            throw new ConfigException("invalid value \"" + raw + "\" for " + option + " (from environment variable "
                    + envVar + "): " + e.getMessage());
        }
    }

    int integer(String option, Integer flagValue, String envVar, int fallback) {
        return resolve(option, flagValue, envVar, Settings::parseInt, fallback);
    }

    long longValue(String option, Long flagValue, String envVar, long fallback) {
        return resolve(option, flagValue, envVar, Settings::parseLong, fallback);
    }

    String text(String option, String flagValue, String envVar, String fallback) {
        return resolve(option, flagValue, envVar, Function.identity(), fallback);
    }

    /**
     * An on/off option: the flag, else its variable, which must say {@code true}, {@code 1},
     * {@code yes} or {@code false}, {@code 0}, {@code no} (any case). Anything else is an error,
     * not off: {@code WORKER_HTTP_DENY_PRIVATE=on} once left private addresses reachable.
     */
    boolean flag(String option, boolean flagValue, String envVar) {
        if (flagValue) {
            return true;
        }
        return resolve(option, null, envVar, Settings::parseBoolean, false);
    }

    private static boolean parseBoolean(String text) {
        return FeatureFlags.onOff(text).orElseThrow(() -> new IllegalArgumentException("expected true, 1, yes, false, 0 or no"));
    }

    private static int parseInt(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer");
        }
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer");
        }
    }
}
