package io.beamline.worker.transport;

import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.Coordinator;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code caf.exec.cancel.v1} (SPEC §5, CP2_CANCELLATION_ENABLED): every worker hears every
 * cancel (no queue group); only the one holding the step acts. An unreadable cancel becomes one
 * dead letter, published by one worker of a queue group. Thread-safe.
 */
public final class CancelSubscription implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("transport");
    /** The queue group in which one worker dead-letters each unreadable cancel. */
    static final String UNREADABLE_GROUP = "caf-workers-cancel-unreadable";

    private final Connection connection;
    private final Dispatcher dispatcher;

    public CancelSubscription(Connection connection, Coordinator coordinator) {
        this.connection = connection;
        this.dispatcher = connection.createDispatcher();
        // every worker applies every cancel; one of them (a queue group) dead-letters a bad one
        dispatcher.subscribe(Subjects.CANCEL, message -> handle(message, data -> {
            Coordinator.CancelOutcome outcome = coordinator.applyCancelMessage(data).orElse(null);
            if (outcome == Coordinator.CancelOutcome.TENANT_MISMATCH) {
                log.warn("a cancel naming another tenant than its step's was ignored: {}",
                        new String(data, java.nio.charset.StandardCharsets.UTF_8));
            } else if (outcome == Coordinator.CancelOutcome.NOT_IN_FLIGHT && log.isDebugEnabled()) {
                // the usual case with several workers: the step runs elsewhere, or has finished
                log.debug("a cancel for an assignment not in flight here was ignored: {}",
                        new String(data, java.nio.charset.StandardCharsets.UTF_8));
            }
        }));
        dispatcher.subscribe(Subjects.CANCEL, UNREADABLE_GROUP, message -> handle(message, coordinator::reportUnreadableCancel));
        log.info("subscribed to {}", Subjects.CANCEL);
    }

    private static void handle(Message message, java.util.function.Consumer<byte[]> handler) {
        try {
            handler.accept(message.getData() == null ? new byte[0] : message.getData());
        } catch (RuntimeException e) {
            log.error("unexpected failure handling a cancel", e);
        }
    }

    @Override
    public void close() {
        if (dispatcher.isActive()) {
            connection.closeDispatcher(dispatcher);
        }
    }
}
