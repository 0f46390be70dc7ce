package io.beamline.worker.runtime;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Per-tenant quotas (the seeds' multi-tenancy, SPEC §2 code 2004): executions per window, CPU
 * time per window ({@code --max-cpu-time-ms}), and payload bytes in flight. A tenant over one of
 * them is refused with {@code quota_exceeded} and told when to come back. Concurrency per
 * tenant is not refused here: the pools hold such steps back without blocking other tenants.
 * Thread-safe.
 */
public final class TenantQuotas {
    private final QuotaConfig config;
    private final LongSupplier millis;
    private final Map<String, Usage> usage = new ConcurrentHashMap<>();

    public TenantQuotas(QuotaConfig config, LongSupplier millis) {
        this.config = config;
        this.millis = millis;
    }

    public QuotaConfig config() {
        return config;
    }

    /** Why {@code tenant} may not start one more step of {@code bytes} now, if it may not. */
    public Optional<Refusal> tryAdmit(String tenant, long bytes) {
        QuotaConfig.Limits limits = config.limitsFor(tenant);
        if (!limits.countsUsage()) {
            return Optional.empty();  // nothing to count for this tenant: no map, no lock, no clock
        }
        Usage u = usage.computeIfAbsent(tenant, t -> new Usage());
        synchronized (u) {
            long now = millis.getAsLong();
            u.roll(now, config.windowMs());
            long retryAfter = Math.max(1, u.windowStart + config.windowMs() - now);
            if (limits.maxExecutionsPerWindow() > 0 && u.executions >= limits.maxExecutionsPerWindow()) {
                return Optional.of(new Refusal("tenant " + tenant + " reached " + limits.maxExecutionsPerWindow()
                        + " executions per " + config.windowMs() + " ms", retryAfter));
            }
            if (limits.maxCpuMsPerWindow() > 0 && u.cpuMs >= limits.maxCpuMsPerWindow()) {
                return Optional.of(new Refusal("tenant " + tenant + " used its CPU time quota of "
                        + limits.maxCpuMsPerWindow() + " ms per " + config.windowMs() + " ms", retryAfter));
            }
            if (limits.maxBytesInFlight() > 0 && u.bytesInFlight + bytes > limits.maxBytesInFlight()) {
                return Optional.of(new Refusal("tenant " + tenant + " has " + u.bytesInFlight
                        + " payload bytes in flight; this assignment's " + bytes + " would pass its quota of "
                        + limits.maxBytesInFlight(), 1000));
            }
            u.executions++;
            u.bytesInFlight += bytes;
            return Optional.empty();
        }
    }

    /** Gives back what {@link #tryAdmit} took when the step was refused later in admission. */
    public void undoAdmit(String tenant, long bytes) {
        Usage u = counted(tenant);
        if (u != null) {
            synchronized (u) {
                u.executions = Math.max(0, u.executions - 1);
                u.bytesInFlight -= bytes;
            }
        }
    }

    /** Accounts a finished step: its bytes leave flight, its CPU time is charged. */
    public void finished(String tenant, long bytes, long cpuMs) {
        Usage u = counted(tenant);
        if (u != null) {
            synchronized (u) {
                u.bytesInFlight -= bytes;
                u.roll(millis.getAsLong(), config.windowMs());
                u.cpuMs += cpuMs;
            }
        }
    }

    /** The usage of a tenant whose limits count it (the limits never change), else null. */
    private Usage counted(String tenant) {
        return config.limitsFor(tenant).countsUsage() ? usage.get(tenant) : null;
    }

    /** A quota refusal and when trying again may succeed. */
    public record Refusal(String message, long retryAfterMs) {
    }

    private static final class Usage {
        long windowStart;
        long executions;
        long cpuMs;
        long bytesInFlight;

        void roll(long now, long windowMs) {
            if (now - windowStart >= windowMs) {
                windowStart = now;
                executions = 0;
                cpuMs = 0;
            }
        }
    }
}
