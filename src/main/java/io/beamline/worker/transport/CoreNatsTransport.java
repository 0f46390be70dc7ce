package io.beamline.worker.transport;

import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.Coordinator;
import io.beamline.worker.runtime.Delivery;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Core NATS intake (SPEC §2, §3): assignments arrive on {@code caf.exec.assign.v1} in the
 * queue group {@code caf-workers}, so each goes to exactly one of the workers subscribed. The
 * handler runs on the dispatcher thread and only decodes, admits and acks; steps run in the
 * pools. At-most-once: a worker that dies loses the steps it held (use JetStream for more).
 */
public final class CoreNatsTransport implements Intake {
    private static final Logger log = LoggerFactory.getLogger("transport");

    private final Connection connection;
    private final Coordinator coordinator;
    private Dispatcher dispatcher;

    public CoreNatsTransport(Connection connection, Coordinator coordinator) {
        this.connection = connection;
        this.coordinator = coordinator;
    }

    @Override
    public void start() {
        dispatcher = connection.createDispatcher(this::onMessage);
        dispatcher.subscribe(Subjects.ASSIGN, Subjects.QUEUE_GROUP);
        log.info("subscribed to {} in queue group {}", Subjects.ASSIGN, Subjects.QUEUE_GROUP);
    }

    private void onMessage(Message message) {
        try {
            byte[] data = message.getData() == null ? new byte[0] : message.getData();
            coordinator.onMessage(data, TraceContext.traceparent(message), Delivery.NONE);
        } catch (RuntimeException e) {
            // Never let one message kill the dispatcher; the coordinator itself should not throw.
            log.error("unexpected failure handling a message on {}", message.getSubject(), e);
        }
    }

    /** Unsubscribes, letting messages already delivered finish their admission. */
    @Override
    public void stopReceiving() {
        if (dispatcher == null) {
            return;
        }
        Duration timeout = Duration.ofSeconds(5);
        try {
            dispatcher.drain(timeout).get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("dispatcher drain did not complete cleanly: {}", e.toString());
        }
    }

    @Override
    public void close() {
        if (dispatcher != null && dispatcher.isActive()) {
            connection.closeDispatcher(dispatcher);
        }
    }
}
