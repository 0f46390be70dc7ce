package io.beamline.worker.config;

import io.beamline.worker.Worker;
import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.observability.HealthEndpoint;
import io.beamline.worker.observability.HttpSurface;
import io.beamline.worker.observability.MetricNames;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.beamline.worker.transport.CoreNatsTransport;
import io.beamline.worker.transport.NatsConnector;
import io.beamline.worker.transport.NatsOutcomeSink;
import io.nats.client.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code serve}: the production mode, taking assignments from NATS (SPEC §3). */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Take assignments from NATS (caf.exec.assign.v1, queue group caf-workers), run them, publish acks and results.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger("worker");

    @Mixin
    WorkerOptions options;

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = options.toConfig(System.getenv());
        if (config.transport() != TransportKind.core) {
            throw new ConfigException("--transport " + config.transport() + " is not available in this build; use core");
        }
        ShutdownSignal signal = ShutdownSignal.install();
        Clock clock = Clock.systemUTC();
        HealthChecks health = new HealthChecks();
        try (HttpSurface http = new HttpSurface(config.healthEndpoint().toSocketAddress())) {
            http.mount("/_health", new HealthEndpoint(health, clock));
            http.start();
            NatsConnector connector = new NatsConnector();
            Connection connection = connector.connect(config.natsUrls(), config.workerId(), health);
            NatsOutcomeSink sink = new NatsOutcomeSink(connection, Duration.ofSeconds(60));
            int maxEmbedded = (int) Math.max(1024, connection.getMaxPayload() / 8);
            try (Worker worker = Worker.create(config, sink, health, clock, maxEmbedded);
                 HttpSurface metricsHttp = metricsSurface(config, http);
                 CoreNatsTransport transport = new CoreNatsTransport(connection, worker.coordinator(), config.flags().cancellation())) {
                (metricsHttp == null ? http : metricsHttp).mount("/metrics", new MetricsHandler(worker.metrics().registry()));
                if (metricsHttp != null) {
                    metricsHttp.start();
                }
                worker.metrics().gauge(MetricNames.NATS_CONNECTED, "1 while connected to NATS", true,
                        cb -> cb.call(connection.getStatus() == Connection.Status.CONNECTED ? 1 : 0));
                transport.start();
                boolean lost = awaitStopOrConnectionLoss(signal, connector);
                if (lost) {
                    log.error("NATS connection closed for good; exiting");
                    return Main.EXIT_CONNECTION_LOST;
                }
                transport.stopReceiving(Duration.ofSeconds(5));
                worker.drain(config.shutdownGrace());
                connection.flush(Duration.ofSeconds(5));
                connection.close();
                log.info("worker {} stopped", config.workerId());
                return Main.EXIT_OK;
            }
        }
    }

    /** A second HTTP server for /metrics, unless it shares the health endpoint's address (then null). */
    private static HttpSurface metricsSurface(WorkerConfig config, HttpSurface health) throws java.io.IOException {
        if (config.prometheusEndpoint().equals(config.healthEndpoint())) {
            return null;
        }
        return new HttpSurface(config.prometheusEndpoint().toSocketAddress());
    }

    /** True when the connection closed for good, false when a stop was requested. */
    private static boolean awaitStopOrConnectionLoss(ShutdownSignal signal, NatsConnector connector)
            throws InterruptedException {
        while (true) {
            if (signal.requested().await(200, TimeUnit.MILLISECONDS)) {
                return false;
            }
            if (connector.closed().getCount() == 0) {
                return true;
            }
        }
    }
}
