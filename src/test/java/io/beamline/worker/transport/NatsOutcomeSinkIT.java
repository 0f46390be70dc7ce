package io.beamline.worker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.RejectReason;
import io.beamline.worker.contract.Rejection;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.support.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The core NATS sink against a real nats-server that goes away: a publish the client cannot even
 * buffer waits (with backoff) for the connection to come back instead of being lost, and one on a
 * connection closed for good fails at once. A publish from an interrupted thread (a step stopped
 * while it waited to retry) goes out, though jnats alone drops it without a word.
 */
class NatsOutcomeSinkIT {

    @Test
    void aPublishThatCannotBeBufferedWaitsForTheServerAndGoesOutWhenItIsBack() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            // a reconnect buffer of one byte: while disconnected, jnats refuses every publish
            Connection connection = Nats.connect(new Options.Builder().server(nats.url()).maxReconnects(-1)
                    .reconnectWait(Duration.ofMillis(100)).reconnectBufferSize(1).build());
            List<String> received = new CopyOnWriteArrayList<>();
            Dispatcher dispatcher = connection.createDispatcher(
                    message -> received.add(new String(message.getData(), StandardCharsets.UTF_8)));
            dispatcher.subscribe(Subjects.ACK);  // restored by jnats when it reconnects
            connection.flush(Duration.ofSeconds(5));
            NatsOutcomeSink sink = new NatsOutcomeSink(connection, Duration.ofSeconds(30));

            nats.stop();
            await().atMost(Duration.ofSeconds(10)).until(() -> connection.getStatus() != Connection.Status.CONNECTED);
            CompletableFuture<CompletableFuture<Void>> publishing = CompletableFuture.supplyAsync(() -> sink.ack(ack("while-down")));
            Thread.sleep(500);
            assertThat(publishing).as("the publish waits while the server is down").isNotDone();

            nats.launch();
            assertThat(publishing.get(30, TimeUnit.SECONDS)).isCompleted().isNotCompletedExceptionally();
            await().atMost(Duration.ofSeconds(10)).until(() -> received.stream().anyMatch(m -> m.contains("\"while-down\"")));
            connection.close();
        }
    }

    @Test
    void aBurstOfFlushRequestsSharesFlushesAndKeepsTheConnection() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            List<Connection.Status> statuses = new CopyOnWriteArrayList<>();
            Connection connection = Nats.connect(new Options.Builder().server(nats.url())
                    .connectionListener((c, event) -> statuses.add(c.getStatus())).build());
            NatsOutcomeSink sink = new NatsOutcomeSink(connection, Duration.ofSeconds(30));

            // as many approvals' results at once as a busy worker finishes: one PING each went
            // past jnats' limit of outstanding PINGs, and it dropped the connection
            List<CompletableFuture<Void>> flushes = new java.util.ArrayList<>();
            for (int i = 0; i < 500; i++) {
                sink.ack(ack("burst-" + i));
                flushes.add(sink.flushed());
            }

            CompletableFuture.allOf(flushes.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertThat(flushes).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
            assertThat(connection.getStatus()).isEqualTo(Connection.Status.CONNECTED);
            assertThat(statuses).doesNotContain(Connection.Status.DISCONNECTED, Connection.Status.RECONNECTING);
            connection.close();
        }
    }

    @Test
    void aPublishOnAConnectionClosedForGoodFailsAtOnce() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            Connection connection = Nats.connect(nats.url());
            NatsOutcomeSink sink = new NatsOutcomeSink(connection, Duration.ofSeconds(30));
            connection.close();

            CompletableFuture<Void> published = sink.ack(ack("after-close"));

            assertThat(published).isCompletedExceptionally();
        }
    }

    @Test
    void aPublishFromAnInterruptedThreadGoesOutAndTheThreadStaysInterrupted() throws Exception {
        try (NatsServer nats = NatsServer.start()) {
            Connection connection = Nats.connect(nats.url());
            List<String> received = new CopyOnWriteArrayList<>();
            Dispatcher dispatcher = connection.createDispatcher(
                    message -> received.add(new String(message.getData(), StandardCharsets.UTF_8)));
            dispatcher.subscribe(Subjects.ACK);
            connection.flush(Duration.ofSeconds(5));
            NatsOutcomeSink sink = new NatsOutcomeSink(connection, Duration.ofSeconds(30));

            CompletableFuture<Boolean> stillInterrupted = new CompletableFuture<>();
            Thread.ofVirtual().start(() -> {
                Thread.currentThread().interrupt();
                sink.ack(ack("from-an-interrupted-thread"));
                stillInterrupted.complete(Thread.currentThread().isInterrupted());
            });

            assertThat(stillInterrupted.get(10, TimeUnit.SECONDS)).as("the flag is given back").isTrue();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> received.stream().anyMatch(m -> m.contains("\"from-an-interrupted-thread\"")));
            connection.close();
        }
    }

    private static ExecAssignmentAck ack(String assignmentId) {
        return ExecAssignmentAck.rejected(new Rejection(assignmentId, "req", "trace", "tenant", RejectReason.QUEUE_FULL,
                "test", 100L), 1_700_000_000_000L);
    }
}
