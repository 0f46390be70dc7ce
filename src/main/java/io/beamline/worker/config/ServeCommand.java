package io.beamline.worker.config;

import io.beamline.worker.Worker;
import io.beamline.worker.WorkerServices;
import io.beamline.worker.contract.Redaction;
import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.observability.HttpSurface;
import io.beamline.worker.observability.MetricNames;
import io.beamline.worker.observability.Tracing;
import io.beamline.worker.observability.WorkerMetrics;
import io.beamline.worker.runtime.OutcomeSink;
import io.beamline.worker.transport.CancelSubscription;
import io.beamline.worker.transport.CoreNatsTransport;
import io.beamline.worker.transport.Intake;
import io.beamline.worker.transport.JetStreamOutcomeSink;
import io.beamline.worker.transport.JetStreamTransport;
import io.beamline.worker.transport.NatsApprovalNotifier;
import io.beamline.worker.transport.NatsConnector;
import io.beamline.worker.transport.NatsOutcomeSink;
import io.nats.client.Connection;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code serve}: the production mode, taking assignments from NATS (SPEC §3). Order of start:
 * HTTP surfaces (so health answers, unhealthy, and metrics say {@code worker_nats_connected 0}
 * while NATS is not there yet), NATS, the worker, the intake, then the steps that were waiting
 * for approval before a restart. Stop: SIGTERM stops the intake, drains, flushes and exits 0.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Take assignments from NATS (caf.exec.assign.v1, queue group caf-workers), run them, publish acks and results.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger("worker");

    @Mixin
    WorkerOptions options;

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = options.toConfig(System.getenv());
        config.prepareDataDir();
        ShutdownSignal signal = ShutdownSignal.install();
        Clock clock = Clock.systemUTC();
        HealthChecks health = new HealthChecks();
        NatsConnector connector = new NatsConnector();
        // Healthy means "receiving assignments": not before the subscription, not while draining,
        // not while the connection is down (nothing arrives then).
        AtomicReference<String> intake = new AtomicReference<>("starting");
        health.register("intake", () -> !"receiving".equals(intake.get()) ? HealthChecks.Check.failing(intake.get())
                : connector.connected() ? HealthChecks.Check.ok("receiving assignments")
                : HealthChecks.Check.failing("not receiving: NATS disconnected"));
        OpenTelemetry openTelemetry = Tracing.fromEnvironment(System.getenv());
        WorkerMetrics metrics = Worker.createMetrics(config, health);
        metrics.gauge(MetricNames.NATS_CONNECTED, "1 while connected to NATS", true,
                cb -> cb.call(connector.connected() ? 1 : 0));
        try (HttpServers http = HttpServers.start(config, health, metrics.registry(), clock)) {
            Connection connection = connector.connectUnlessStopped(config.natsUrls(), config.workerId(), health,
                    signal.requested()).orElse(null);
            if (connection == null) {
                log.info("stopped before NATS could be reached; nothing was taken");
                return Main.EXIT_OK;
            }
            JetStreamOutcomeSink streamSink = config.transport() == TransportKind.jetstream
                    ? new JetStreamOutcomeSink(connection, config.jetStream().completedBucket()) : null;
            OutcomeSink sink = streamSink != null ? streamSink : new NatsOutcomeSink(connection, Duration.ofSeconds(60));
            WorkerServices services = new WorkerServices(sink, new NatsApprovalNotifier(connection), health, clock,
                    openTelemetry, (int) Math.max(1024, connection.getMaxPayload() / 8), http.publicUrl());
            try (Worker worker = Worker.create(config, services, metrics);
                 Intake transport = config.transport() == TransportKind.jetstream
                         ? new JetStreamTransport(connection, worker.coordinator(), streamSink, config.jetStream(), config.workerId())
                         : new CoreNatsTransport(connection, worker.coordinator(), config.intakeThreads(), config.pendingBytesPerIntake());
                 CancelSubscription cancels = config.flags().cancellation()
                         ? new CancelSubscription(connection, worker.coordinator()) : null) {
                http.serve(worker);
                metrics.counter(MetricNames.INTAKE_DROPPED,
                        "Assignments the NATS client dropped unread as a slow consumer (no answer; the Router retries)",
                        transport::droppedMessages);
                try {
                    transport.start();
                } catch (java.io.IOException | io.nats.client.JetStreamApiException e) {
                    // a server without JetStream answers its API with a timeout; say what to check
                    log.error("--transport {} cannot start on {}: {}{}", config.transport(),
                            Redaction.urlsWithoutUserInfo(config.natsServers()), e.getMessage(),
                            config.transport() == TransportKind.jetstream
                                    ? " (does the server run with JetStream enabled, nats-server -js, and may this user use it?)" : "");
                    return Main.EXIT_USAGE;
                }
                intake.set("receiving");
                worker.announceReady();
                worker.resumePendingApprovals();
                if (awaitStopOrConnectionLoss(signal, connector)) {
                    log.error("NATS connection closed for good; exiting");
                    return Main.EXIT_CONNECTION_LOST;
                }
                intake.set("draining");
                transport.stopReceiving();
                worker.drain(config.shutdownGrace());
                transport.awaitSettled(Duration.ofSeconds(5));
                connector.flushAndClose(connection, Duration.ofSeconds(5));
                log.info("worker {} stopped", config.workerId());
                return Main.EXIT_OK;
            }
        }
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
