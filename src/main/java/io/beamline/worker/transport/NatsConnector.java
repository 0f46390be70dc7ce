package io.beamline.worker.transport;

import io.beamline.worker.observability.HealthChecks;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
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

    /** Connects, blocking until the first connection is made. */
    public Connection connect(List<String> urls, String connectionName, HealthChecks health)
            throws IOException, InterruptedException {
        health.register("nats", () -> connected
                ? HealthChecks.Check.ok("connected to " + server)
                : HealthChecks.Check.failing("disconnected from NATS " + String.join(",", urls)));
        Options options = new Options.Builder()
                .servers(urls.toArray(String[]::new))
                .connectionName(connectionName)
                .maxReconnects(-1)
                .reconnectWait(Duration.ofMillis(500))
                .connectionTimeout(Duration.ofSeconds(5))
                .pingInterval(Duration.ofSeconds(10))
                .maxMessagesInOutgoingQueue(100_000)
                .reconnectBufferSize(64L * 1024 * 1024)
                .connectionListener(this::onEvent)
                .errorListener(new LoggingErrorListener())
                .build();
        log.info("connecting to NATS {}", urls);
        Connection connection = Nats.connectReconnectOnConnect(options);
        connected = connection.getStatus() == Connection.Status.CONNECTED;
        server = String.valueOf(connection.getConnectedUrl());
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
                server = String.valueOf(connection.getConnectedUrl());
                log.info("NATS {}: {}", event.getEvent(), server);
            }
            case DISCONNECTED -> {
                connected = false;
                log.warn("NATS disconnected; reconnecting");
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
        @Override
        public void errorOccurred(Connection conn, String error) {
            log.warn("NATS error: {}", error);
        }

        @Override
        public void exceptionOccurred(Connection conn, Exception exp) {
            log.warn("NATS exception: {}", exp.toString());
        }

        @Override
        public void slowConsumerDetected(Connection conn, io.nats.client.Consumer consumer) {
            log.warn("NATS slow consumer: messages are being dropped by the client");
        }
    }
}
