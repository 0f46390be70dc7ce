package io.beamline.worker.bench;

import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.MessageHandler;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One load-generator run on an open connection: an optional warm-up phase, then the measured
 * phase. Each phase has its own id prefix ({@code lg-<run>-<phase>-}), tracker and dispatcher,
 * so late replies of the warm-up never count in the measurement. A phase ends when every
 * assignment sent is settled or {@code --timeout-ms} after the last send, then waits a short
 * while longer so that duplicates arriving just after the last outcome are still seen. With a
 * series file, the measured phase is also recorded second by second ({@link SecondSeries}) and
 * written there when it ends, settling time included.
 * Not thread-safe; run once.
 */
final class LoadRun {
    /** How long a settled phase keeps listening for late duplicates. */
    static final Duration SETTLE = Duration.ofMillis(300);

    private final Connection connection;
    private final LoadgenConfig config;
    private final String runId;
    private final Optional<Path> seriesFile;

    LoadRun(Connection connection, LoadgenConfig config, String runId) {
        this(connection, config, runId, Optional.empty());
    }

    LoadRun(Connection connection, LoadgenConfig config, String runId, Optional<Path> seriesFile) {
        this.connection = connection;
        this.config = config;
        this.runId = runId;
        this.seriesFile = seriesFile;
    }

    LoadReport run() throws InterruptedException, TimeoutException, IOException {
        // With a series file the warm-up records a series too, thrown away: otherwise the series
        // code is first run, interpreted, on the dispatcher thread in the first measured second,
        // and the replies it holds up show as latency of that second
        PhaseEvents warmupEvents = seriesFile.isPresent() ? new SecondSeries(System.nanoTime(), System.currentTimeMillis())
                : PhaseEvents.NONE;
        Violations warmup = config.warmup() > 0 ? phase("w", config.warmup(), 0, warmupEvents).outcome().violations()
                : new Violations(0, 0, 0, 0, 0, 0);
        SecondSeries series = new SecondSeries(System.nanoTime(), System.currentTimeMillis());
        // scripts that inject faults into a run (bench/chaos) time them from this line
        System.err.println("loadgen " + config.label() + ": measuring");
        long cpuBefore = processCpuNanos();
        Phase measured = phase("m", config.count(), config.durationMs(), seriesFile.isPresent() ? series : PhaseEvents.NONE);
        long cpuNanos = cpuBefore < 0 ? -1 : processCpuNanos() - cpuBefore;
        if (seriesFile.isPresent()) {
            series.write(seriesFile.get());
        }
        return new LoadReport(config, runId, measured.sent(), measured.outcome(), warmup, cpuNanos);
    }

    /**
     * The CPU time this process has used, -1 where the platform does not tell: on a machine the
     * load generator shares with the service, what it costs per assignment is part of the picture.
     */
    private static long processCpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
    }

    /** What one phase sent and observed. */
    record Phase(Sender.Sent sent, PhaseOutcome outcome) {
    }

    private Phase phase(String name, long count, long durationMs, PhaseEvents events)
            throws InterruptedException, TimeoutException, IOException {
        AssignmentFactory factory = new AssignmentFactory("lg-" + runId + "-" + name + "-", config.mix(),
                config.tenants(), config.payloadBytes(), config.httpUrl());
        Semaphore window = new Semaphore(config.maxInFlight());
        OutcomeTracker tracker = new OutcomeTracker(factory.idPrefix(), (int) count, window, events);
        MessageHandler handler = message -> tracker.onMessage(message.getSubject(), message.getData(), System.nanoTime());
        Dispatcher dispatcher = connection.createDispatcher(handler);
        // The dispatcher must never drop replies as a slow consumer: a drop would read as a missing outcome.
        dispatcher.setPendingLimits(-1, -1);
        try {
            subscribe(dispatcher, handler);
            connection.flush(Duration.ofSeconds(5));  // subscriptions are live before the first assignment
            Sender.Sent sent = new Sender(connection, factory, tracker, window, config, events).send(count, durationMs);
            awaitSettled(tracker, sent.count(), sent.lastNanos() + TimeUnit.MILLISECONDS.toNanos(config.timeoutMs()));
            Thread.sleep(SETTLE.toMillis());
            return new Phase(sent, tracker.outcome(sent.count(), sent.firstNanos()));
        } finally {
            connection.closeDispatcher(dispatcher);
        }
    }

    /**
     * Core subscriptions to the outcome subjects, or, with an outcome stream, one ordered consumer
     * of that stream from now on. The stream is what a Router reads in JetStream mode: it keeps
     * the outcomes published while this client was cut off (a NATS restart), and it drops the
     * repeat of an outcome a redelivered assignment republished with the same Nats-Msg-Id, which
     * core subscribers would see twice. One consumer for all three subjects keeps an ack before
     * its result, as stored.
     */
    private void subscribe(Dispatcher dispatcher, MessageHandler handler) throws IOException {
        if (config.outcomeStream().isEmpty()) {
            dispatcher.subscribe(Subjects.ACK).subscribe(Subjects.RESULT).subscribe(Subjects.DEAD_LETTER);
            return;
        }
        PushSubscribeOptions options = PushSubscribeOptions.builder().stream(config.outcomeStream()).ordered(true)
                // a short heartbeat: the client notices a lost consumer (a server restart) after about
                // three missed beats and recreates it; the default of 5 s would hold outcomes back ~15 s
                .configuration(ConsumerConfiguration.builder().deliverPolicy(DeliverPolicy.New)
                        .idleHeartbeat(Duration.ofMillis(500)).build()).build();
        try {
            connection.jetStream().subscribe(null, dispatcher, handler, false, options);
        } catch (JetStreamApiException e) {
            throw new IOException("cannot read outcome stream " + config.outcomeStream() + ": " + e.getMessage(), e);
        }
    }

    private static void awaitSettled(OutcomeTracker tracker, long expected, long deadlineNanos) throws InterruptedException {
        while (tracker.settled() < expected && System.nanoTime() - deadlineNanos < 0) {
            Thread.sleep(5);
        }
    }
}
