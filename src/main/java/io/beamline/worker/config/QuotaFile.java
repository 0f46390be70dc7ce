package io.beamline.worker.config;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.runtime.QuotaConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code --tenant-quotas} file: JSON with optional {@code window_ms}, {@code defaults}
 * and {@code tenants} (tenant id → limits). A tenant's entry inherits every limit it does not
 * name from the defaults, and the defaults inherit from the command-line options. Fields:
 * {@code max_concurrent}, {@code max_executions_per_window}, {@code max_cpu_ms_per_window},
 * {@code max_bytes_in_flight}, {@code weight}; zero means unlimited (a weight of 0 counts as 1).
 * Anything else in the file is an error, not ignored: a misspelt field or a {@code tenants}
 * array would otherwise start the worker with no quotas at all, silently.
 */
final class QuotaFile {
    private static final Set<String> TOP_LEVEL = Set.of("window_ms", "defaults", "tenants");
    private static final Set<String> LIMITS = Set.of("max_concurrent", "max_executions_per_window", "max_cpu_ms_per_window",
            "max_bytes_in_flight", "weight");

    private QuotaFile() {
    }

    static QuotaConfig load(Path file, long windowMs, QuotaConfig.Limits base) {
        JsonNode root;
        try {
            // a key given twice would silently drop the first one's limits
            root = Json.mapper().reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConfigException("--tenant-quotas: cannot read " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException("--tenant-quotas: " + file + " must hold a JSON object");
        }
        onlyKnownFields(root, TOP_LEVEL, "the file");
        long window = root.has("window_ms") ? positive(root.get("window_ms"), "window_ms") : windowMs;
        QuotaConfig.Limits defaults = limits(root.path("defaults"), base, "defaults");
        Map<String, QuotaConfig.Limits> tenants = new HashMap<>();
        JsonNode tenantNodes = root.path("tenants");
        if (!tenantNodes.isMissingNode() && !tenantNodes.isObject()) {
            throw new ConfigException("--tenant-quotas: tenants must be an object of tenant id -> limits");
        }
        tenantNodes.properties().forEach(e -> tenants.put(e.getKey(), limits(e.getValue(), defaults, "tenants." + e.getKey())));
        return new QuotaConfig(window, defaults, tenants);
    }

    private static QuotaConfig.Limits limits(JsonNode node, QuotaConfig.Limits inherited, String where) {
        if (node.isMissingNode()) {
            return inherited;
        }
        if (!node.isObject()) {
            throw new ConfigException("--tenant-quotas: " + where + " must be an object");
        }
        onlyKnownFields(node, LIMITS, where);
        return new QuotaConfig.Limits(
                intValue(node, "max_concurrent", inherited.maxConcurrent(), where),
                value(node, "max_executions_per_window", inherited.maxExecutionsPerWindow(), where),
                value(node, "max_cpu_ms_per_window", inherited.maxCpuMsPerWindow(), where),
                value(node, "max_bytes_in_flight", inherited.maxBytesInFlight(), where),
                Math.max(1, intValue(node, "weight", inherited.weight(), where)));
    }

    private static long value(JsonNode node, String field, long inherited, String where) {
        JsonNode value = node.get(field);
        if (value == null) {
            return inherited;
        }
        if (!value.canConvertToLong() || !value.isIntegralNumber() || value.longValue() < 0) {
            throw new ConfigException("--tenant-quotas: " + where + "." + field + " must be a whole number >= 0");
        }
        return value.longValue();
    }

    /** A limit held in an int: a larger number is an error, not a wrap-around (4294967297 once meant 1). */
    private static int intValue(JsonNode node, String field, int inherited, String where) {
        long value = value(node, field, inherited, where);
        if (value > Integer.MAX_VALUE) {
            throw new ConfigException("--tenant-quotas: " + where + "." + field + " must be at most " + Integer.MAX_VALUE);
        }
        return (int) value;
    }

    private static void onlyKnownFields(JsonNode node, Set<String> known, String where) {
        node.fieldNames().forEachRemaining(name -> {
            if (!known.contains(name)) {
                throw new ConfigException("--tenant-quotas: unknown field \"" + name + "\" in " + where + " (expected "
                        + String.join(", ", new java.util.TreeSet<>(known)) + ")");
            }
        });
    }

    private static long positive(JsonNode value, String field) {
        if (!value.isIntegralNumber() || value.longValue() <= 0) {
            throw new ConfigException("--tenant-quotas: " + field + " must be a whole number > 0");
        }
        return value.longValue();
    }
}
