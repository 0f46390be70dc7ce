package io.beamline.worker.config;

import io.beamline.worker.Worker;
import io.beamline.worker.block.human.ApprovalHttpHandler;
import io.beamline.worker.observability.AssignmentStatusEndpoint;
import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.observability.HealthEndpoint;
import io.beamline.worker.observability.HttpSurface;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP surfaces (SPEC §6): {@code /_health}, the approval API and page and
 * {@code /assignments/{id}} on {@code --health-endpoint}; {@code /metrics} on
 * {@code --prometheus-endpoint}, or on the same server when both name the same address. Health
 * and metrics answer from the start (while NATS is unreachable, Prometheus must see a worker
 * that says so, not one that is down); the rest is mounted once the worker exists.
 */
final class HttpServers implements AutoCloseable {
    private final WorkerConfig config;
    private final HttpSurface main;
    private final HttpSurface metrics;
    private final WhenReady approvals = new WhenReady();
    private final WhenReady assignments = new WhenReady();

    private HttpServers(WorkerConfig config, HttpSurface main, HttpSurface metrics) {
        this.config = config;
        this.main = main;
        this.metrics = metrics;
        if (main != null) {
            // mounted now, answering 503 until the worker exists (NATS may take long to reach):
            // an approver's link must not read "no such route" while its approval waits on disk
            main.mount(ApprovalHttpHandler.PREFIX, approvals);
            main.mount(AssignmentStatusEndpoint.PREFIX, assignments);
        }
    }

    /** Starts the servers with health and the worker's {@code metrics} (see Worker#createMetrics). */
    static HttpServers start(WorkerConfig config, HealthChecks health, PrometheusRegistry metrics, Clock clock)
            throws IOException {
        HttpSurface main = bind("--health-endpoint", config.healthEndpoint().toSocketAddress());
        main.mount("/_health", new HealthEndpoint(health, clock));
        HttpSurface metricsSurface = null;
        if (!config.prometheusEndpoint().equals(config.healthEndpoint())) {
            metricsSurface = bind("--prometheus-endpoint", config.prometheusEndpoint().toSocketAddress());
        }
        (metricsSurface == null ? main : metricsSurface).mount("/metrics", new MetricsHandler(metrics));
        main.start();
        if (metricsSurface != null) {
            metricsSurface.start();
        }
        return new HttpServers(config, main, metricsSurface);
    }

    /**
     * The embedded mode's server: one address for everything, and a busy port is not fatal
     * (the steps still run; only the approval API and status pages are missing, as logged).
     */
    static HttpServers startEmbedded(WorkerConfig config, HealthChecks health, PrometheusRegistry metrics, Clock clock) {
        try {
            HttpSurface main = new HttpSurface(config.healthEndpoint().toSocketAddress());
            main.mount("/_health", new HealthEndpoint(health, clock));
            main.mount("/metrics", new MetricsHandler(metrics));
            main.start();
            return new HttpServers(config, main, null);
        } catch (IOException e) {
            LoggerFactory.getLogger("http").warn("--health-endpoint {} is not available ({}); running without the HTTP API",
                    config.healthEndpoint(), e.getMessage());
            return new HttpServers(config, null, null);
        }
    }

    /** Mounts what needs the worker: approvals, assignment status. */
    void serve(Worker worker) {
        if (main == null) {
            return;
        }
        approvals.serve(worker.approvals().<HttpHandler>map(ApprovalHttpHandler::new).orElse(HttpSurface::notFound));
        assignments.serve(new AssignmentStatusEndpoint(worker.coordinator()::status));
    }

    /** A route that answers 503 {@code starting} (retry in a second) until its handler is given. */
    private static final class WhenReady implements HttpHandler {
        private volatile HttpHandler handler;

        void serve(HttpHandler ready) {
            handler = ready;
        }

        @Override
        public void handle(HttpExchange exchange) throws IOException {
            HttpHandler ready = handler;
            if (ready != null) {
                ready.handle(exchange);
                return;
            }
            exchange.getResponseHeaders().set("Retry-After", "1");
            HttpSurface.sendJson(exchange, 503, new HttpSurface.Refusal("the worker is starting", "starting"));
        }
    }

    /** Where approvers reach this worker: {@code --public-url}, else this server's address. */
    String publicUrl() {
        if (config.publicUrl().isPresent()) {
            return config.publicUrl().get();
        }
        if (main == null) {
            return "http://localhost:" + config.healthEndpoint().port();
        }
        String host = config.healthEndpoint().host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "localhost";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return "http://" + host + ":" + main.address().getPort();
    }

    private static HttpSurface bind(String option, InetSocketAddress address) {
        try {
            return new HttpSurface(address);
        } catch (IOException e) {
            throw new ConfigException(option + " " + address.getHostString() + ":" + address.getPort()
                    + " cannot be bound: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (metrics != null) {
            metrics.close();
        }
        if (main != null) {
            main.close();
        }
    }
}
