package io.beamline.worker.transport;

import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.contract.Redaction;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the worker's NATS connection. It never gives up on its own: the first connection and
 * every reconnection are retried forever, and the {@code nats} health check is unhealthy while
 * disconnected. The only way the connection closes for good is {@code close()} (or the server
 * refusing us outright), which {@link #closed()} reports so the process can exit non-zero
 * instead of staying alive but idle.
 */
public final class NatsConnector {
    private static final Logger log = LoggerFactory.getLogger("transport");

    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile boolean connected;
    private volatile String server = "";

    /**
     * Connects, waiting until the first connection is made or {@code stop} counts down; empty when
     * the stop came first. jnats retries a first connection forever and cannot be interrupted, so
     * the attempt runs on a daemon thread that the process's exit ends (a SIGTERM to a worker
     * whose NATS never answered used to go unanswered).
     */
    public Optional<Connection> connectUnlessStopped(List<String> urls, String connectionName, HealthChecks health,
                                                     CountDownLatch stop) throws IOException, InterruptedException {
        CompletableFuture<Connection> connecting = new CompletableFuture<>();
        Thread.ofPlatform().daemon().name("nats-first-connect").start(() -> {
            try {
                connecting.complete(connect(urls, connectionName, health));
            } catch (Throwable e) {
                connecting.completeExceptionally(e);
            }
        });
        while (!stop.await(100, TimeUnit.MILLISECONDS)) {
            if (connecting.isDone()) {
                return Optional.of(connected(connecting));
            }
        }
        connecting.thenAccept(late -> {  // should it still succeed: nobody will use it
            try {
                late.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        return Optional.empty();
    }

    private static Connection connected(CompletableFuture<Connection> connecting) throws IOException, InterruptedException {
        try {
            return connecting.get();
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case InterruptedException interrupted -> throw interrupted;
                case RuntimeException runtime -> throw runtime;
                case Error error -> throw error;
                default -> throw new IOException(e.getCause());
            }
        }
    }

    /**
     * At shutdown: lets jnats send what it still holds (results, acks of JetStream messages),
     * waiting up to {@code patience} for a connection that is down to come back, then closes it.
     * What could not be sent is logged, not thrown: the stop was asked for and ends with exit 0,
     * where a flush on a dead connection used to end the process with exit 1 and a stack trace.
     */
    public void flushAndClose(Connection connection, Duration patience) throws InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (connection.getStatus() != Connection.Status.CONNECTED && connection.getStatus() != Connection.Status.CLOSED
                && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        if (connection.getStatus() == Connection.Status.CONNECTED) {
            try {
                connection.flush(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 100_000_000L)));
            } catch (TimeoutException e) {
                log.warn("NATS did not confirm the last messages before shutdown: {}", e.getMessage());
            }
        } else {
            // (jnats' pending counts wait for its reconnect loop's lock: not asked)
            log.error("NATS unreachable at shutdown: whatever the client still buffered for it is lost");
        }
        closeWithin(connection, patience);
    }

    /** Closes on another thread: jnats' close can wait for a reconnect attempt that never ends. */
    private static void closeWithin(Connection connection, Duration patience) throws InterruptedException {
        Thread closing = Thread.ofPlatform().daemon().name("nats-close").start(() -> {
            try {
                connection.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!closing.join(patience)) {
            log.warn("NATS connection not closed within {} ms; exiting without it", patience.toMillis());
        }
    }

    /** Whether the connection is up now (false before the first connection). */
    public boolean connected() {
        return connected;
    }

    /** Connects, blocking until the first connection is made. */
    private Connection connect(List<String> urls, String connectionName, HealthChecks health)
            throws IOException, InterruptedException {
        health.register("nats", () -> connected
                ? HealthChecks.Check.ok("connected to " + server)
                : HealthChecks.Check.failing("disconnected from NATS " + Redaction.urlsWithoutUserInfo(String.join(",", urls))));
        Options options = new Options.Builder()
                .servers(urls.toArray(String[]::new))
                .connectionName(connectionName)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .connectionTimeout(Duration.ofSeconds(5))
                .pingInterval(Duration.ofSeconds(10))
                .maxMessagesInOutgoingQueue(100_000)
                // every subject this worker publishes or subscribes to is a constant of Subjects
                // (JetStream's are the client's own): checking it again on every publish was ~1 %
                // of the sandbox worker's CPU
                .noSubjectValidation()
                .reconnectBufferSize(64L * 1024 * 1024)
                .connectionListener(this::onEvent)
                .errorListener(new LoggingErrorListener())
                .build();
        log.info("connecting to NATS {}", Redaction.urlsWithoutUserInfo(String.join(",", urls)));
        Connection connection = Nats.connectReconnectOnConnect(options);
        connected = connection.getStatus() == Connection.Status.CONNECTED;
        server = Redaction.withoutUserInfo(String.valueOf(connection.getConnectedUrl()));
        return connection;
    }

    /** Counts down when the connection has closed for good. */
    public CountDownLatch closed() {
        return closed;
    }

    private void onEvent(Connection connection, ConnectionListener.Events event) {
        switch (event) {
            case CONNECTED, RECONNECTED -> {
                connected = true;
                server = Redaction.withoutUserInfo(String.valueOf(connection.getConnectedUrl()));
                log.info("NATS {}: {}", event.getEvent(), server);
            }
            case DISCONNECTED -> {
                boolean was = connected;
                connected = false;
                if (was) {
                    log.warn("NATS disconnected; reconnecting");
                } else {
                    log.debug("NATS still disconnected; reconnecting");  // once per failed attempt, twice a second
                }
            }
            case CLOSED -> {
                connected = false;
                log.warn("NATS connection closed");
                closed.countDown();
            }
            default -> log.debug("NATS {}", event.getEvent());
        }
    }

    /** Routes jnats' asynchronous errors to the log instead of stderr. */
    private static final class LoggingErrorListener implements ErrorListener {
        private static final long REPEAT_EVERY_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(30);

        @Override
        public void errorOccurred(Connection conn, String error) {
            log.warn("NATS error: {}", Redaction.inText(error));
        }

        private String lastException = "";
        private long lastLoggedNanos;
        private int repeats;

        /**
         * Logs an exception, but the same one again (a refused connection at every reconnect
         * attempt, twice a second for as long as the server is down) at most every 30 s, with
         * how often it came meanwhile.
         */
        @Override
        public synchronized void exceptionOccurred(Connection conn, Exception exp) {
            String text = Redaction.inText(exp.toString());
            long now = System.nanoTime();
            if (text.equals(lastException) && now - lastLoggedNanos < REPEAT_EVERY_NANOS) {
                repeats++;
                return;
            }
            if (text.equals(lastException) && repeats > 0) {
                log.warn("NATS exception: {} ({} more since the last report)", text, repeats);
            } else {
                log.warn("NATS exception: {}", text);
            }
            lastException = text;
            lastLoggedNanos = now;
            repeats = 0;
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            // the Router hears nothing of these (no ack): it retries them after its timeout
            log.warn("NATS slow consumer: the client drops messages beyond its pending limit ({} dropped so far, {} bytes pending)",
                    consumer.getDroppedCount(), consumer.getPendingByteCount());
        }
    }
}
