package io.beamline.worker.bench;

import io.beamline.worker.config.ConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the fault target answers for now: after {@code latencyMs}, with {@code failStatus} for
 * {@code failPercent} of the requests, spread evenly (request n fails when
 * floor((n+1)p/100) > floor(np/100)), else 200. Parsed from a query string
 * ({@code latency_ms=200&fail_percent=50&status=503}); absent keys take the healthy values.
 * Immutable.
 */
record FaultMode(long latencyMs, int failPercent, int failStatus) {
    static final FaultMode HEALTHY = new FaultMode(0, 0, 503);

    FaultMode {
        if (latencyMs < 0 || latencyMs > 600_000) {
            throw new ConfigException("latency_ms must be 0..600000, got " + latencyMs);
        }
        if (failPercent < 0 || failPercent > 100) {
            throw new ConfigException("fail_percent must be 0..100, got " + failPercent);
        }
        if (failStatus < 400 || failStatus > 599) {
            throw new ConfigException("status must be 400..599, got " + failStatus);
        }
    }

    static FaultMode parse(String query) {
        Map<String, String> params = new LinkedHashMap<>();
        if (query != null && !query.isBlank()) {
            for (String pair : query.split("&")) {
                int equals = pair.indexOf('=');
                params.put(equals < 0 ? pair : pair.substring(0, equals), equals < 0 ? "" : pair.substring(equals + 1));
            }
        }
        try {
            return new FaultMode(Long.parseLong(params.getOrDefault("latency_ms", "0")),
                    Integer.parseInt(params.getOrDefault("fail_percent", "0")),
                    Integer.parseInt(params.getOrDefault("status", "503")));
        } catch (NumberFormatException e) {
            throw new ConfigException("fault parameters must be integers, got \"" + query + "\"");
        }
    }

    /** Whether the {@code n}-th request (from 0) answered in this mode fails. */
    boolean fails(long n) {
        return failPercent > 0 && Math.floorDiv((n + 1) * failPercent, 100) > Math.floorDiv(n * failPercent, 100);
    }

    String describe() {
        return "latency_ms=" + latencyMs + " fail_percent=" + failPercent + " status=" + failStatus;
    }
}
