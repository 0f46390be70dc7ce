package io.beamline.worker.transport;

import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.Coordinator;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code caf.exec.cancel.v1} (SPEC §5, CP2_CANCELLATION_ENABLED): every worker hears every
 * cancel (no queue group); only the one holding the step acts. Unreadable cancels become dead
 * letters. Thread-safe.
 */
public final class CancelSubscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("transport");

    private final Connection connection;
    private final Dispatcher dispatcher;

    public CancelSubscription(Connection connection, Coordinator coordinator) {
        this.connection = connection;
        this.dispatcher = connection.createDispatcher(message -> {
            try {
                byte[] data = message.getData() == null ? new byte[0] : message.getData();
                if (coordinator.onCancelMessage(data).orElse(null) == Coordinator.CancelOutcome.TENANT_MISMATCH) {
                    log.warn("a cancel naming another tenant than its step's was ignored: {}",
                            new String(data, java.nio.charset.StandardCharsets.UTF_8));
                }
            } catch (RuntimeException e) {
                log.error("unexpected failure handling a cancel", e);
            }
        });
        dispatcher.subscribe(Subjects.CANCEL);
        log.info("subscribed to {}", Subjects.CANCEL);
    }

    @Override
    public void close() {
        if (dispatcher.isActive()) {
            connection.closeDispatcher(dispatcher);
        }
    }
}
