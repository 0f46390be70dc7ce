package io.beamline.worker.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /_health} (SPEC §6): {@code {"status":"healthy","timestamp":…,"checks":{…}}} with
 * 200, or {@code unhealthy} with 503 when any check fails.
 */
public final class HealthEndpoint implements HttpHandler {
    private final HealthChecks checks;
    private final Clock clock;

    public HealthEndpoint(HealthChecks checks, Clock clock) {
        this.checks = checks;
        this.clock = clock;
    }

    /** The response body. */
    public record Health(String status, String timestamp, Map<String, CheckBody> checks) {
    }

    /** One check in the response. */
    public record CheckBody(String status, String message) {
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestURI().getPath().equals("/_health")) {
            HttpSurface.notFound(exchange);
            return;
        }
        Health health = snapshot();
        HttpSurface.sendJson(exchange, health.status().equals("healthy") ? 200 : 503, health);
    }

    public Health snapshot() {
        Map<String, HealthChecks.Check> results = checks.evaluate();
        Map<String, CheckBody> body = new LinkedHashMap<>();
        results.forEach((name, check) -> body.put(name,
                new CheckBody(check.healthy() ? "healthy" : "unhealthy", check.message())));
        String status = HealthChecks.allHealthy(results) ? "healthy" : "unhealthy";
        String timestamp = Instant.now(clock).truncatedTo(ChronoUnit.MILLIS).toString();
        return new Health(status, timestamp, body);
    }
}
