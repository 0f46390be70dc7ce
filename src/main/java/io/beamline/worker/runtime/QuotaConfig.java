package io.beamline.worker.runtime;

import java.util.Map;

/**
 * Tenant quotas and scheduling weights: defaults for every tenant, overridden per tenant (from
 * the {@code --tenant-quotas} file). Zero means unlimited. Immutable.
 */
public record QuotaConfig(long windowMs, Limits defaults, Map<String, Limits> tenants) {

    /**
     * One tenant's limits: concurrent steps per pool, executions and CPU milliseconds per
     * window, payload bytes in flight, and its scheduling weight.
     */
    public record Limits(int maxConcurrent, long maxExecutionsPerWindow, long maxCpuMsPerWindow,
                         long maxBytesInFlight, int weight) {
        public static final Limits UNLIMITED = new Limits(0, 0, 0, 0, 1);

        /** Whether any limit needs the tenant's usage counted (executions, CPU time or bytes). */
        public boolean countsUsage() {
            return maxExecutionsPerWindow > 0 || maxCpuMsPerWindow > 0 || maxBytesInFlight > 0;
        }
    }

    public QuotaConfig {
        if (windowMs <= 0) {
            throw new IllegalArgumentException("--quota-window-ms must be > 0, got " + windowMs);
        }
        tenants = Map.copyOf(tenants);
    }

    public static QuotaConfig unlimited() {
        return new QuotaConfig(60_000, Limits.UNLIMITED, Map.of());
    }

    public Limits limitsFor(String tenant) {
        // asked several times per step; without a quotas file there is nothing to look up
        return tenants.isEmpty() ? defaults : tenants.getOrDefault(tenant, defaults);
    }

    /** Whether some tenant may run only so many steps at once in a pool. */
    public boolean limitsConcurrency() {
        return defaults.maxConcurrent() > 0 || tenants.values().stream().anyMatch(l -> l.maxConcurrent() > 0);
    }
}
