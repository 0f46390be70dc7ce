package io.beamline.worker.transport;

import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.Coordinator;
import io.beamline.worker.runtime.Delivery;
import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
    private final int intakeThreads;
    private final List<Dispatcher> dispatchers = new ArrayList<>();

    private final long pendingBytesPerIntake;

    /**
     * {@code intakeThreads} subscriptions join the queue group, each with its own dispatcher
     * thread, so decoding and admission use several cores; the server spreads messages over them.
     * Each holds at most {@code pendingBytesPerIntake} of messages not yet handled: beyond that
     * the client drops them as a slow consumer (logged; the Router hears nothing and retries).
     * jnats' default, 64 MB each, let a burst of 500 KB assignments fill a small heap before
     * admission could refuse any, and the process died with the steps it had accepted.
     */
    public CoreNatsTransport(Connection connection, Coordinator coordinator, int intakeThreads, long pendingBytesPerIntake) {
        this.connection = connection;
        this.coordinator = coordinator;
        this.intakeThreads = intakeThreads;
        this.pendingBytesPerIntake = pendingBytesPerIntake;
    }

    @Override
    public void start() {
        for (int i = 0; i < intakeThreads; i++) {
            Dispatcher dispatcher = connection.createDispatcher(this::onMessage);
            dispatcher.setPendingLimits(Consumer.DEFAULT_MAX_MESSAGES, pendingBytesPerIntake);
            dispatcher.subscribe(Subjects.ASSIGN, Subjects.QUEUE_GROUP);
            dispatchers.add(dispatcher);
        }
        log.info("subscribed to {} in queue group {} ({} intake thread(s))", Subjects.ASSIGN, Subjects.QUEUE_GROUP, intakeThreads);
        Thread.ofVirtual().name("stream-check").start(this::warnIfAStreamStoresAssignments);
    }

    @Override
    public long droppedMessages() {
        return dispatchers.stream().mapToLong(Dispatcher::getDroppedCount).sum();
    }

    /**
     * A JetStream stream left on the assignment subject (a JetStream worker ran against this
     * server before) stores every assignment this worker answers, and the next JetStream worker
     * runs them all again: the operator must hear of it. Best effort, off the start-up path.
     */
    private void warnIfAStreamStoresAssignments() {
        try {
            List<String> streams = connection.jetStreamManagement().getStreamNames(Subjects.ASSIGN);
            if (!streams.isEmpty()) {
                log.warn("JetStream stream(s) {} store {} too: the assignments this core worker answers will be run "
                        + "again by any JetStream worker; use one transport per NATS deployment, or delete the stream(s)",
                        streams, Subjects.ASSIGN);
            }
        } catch (Exception noJetStream) {
            log.debug("no JetStream stream check: {}", noJetStream.toString());
        }
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
        Duration timeout = Duration.ofSeconds(5);
        if (connection.getStatus() != Connection.Status.CONNECTED) {
            // a drain waits for the server; while disconnected nothing new arrives anyway, so
            // let the dispatchers finish the messages they already hold
            awaitDispatched(timeout);
            return;
        }
        List<java.util.concurrent.CompletableFuture<Boolean>> drains = new ArrayList<>();
        for (Dispatcher dispatcher : dispatchers) {
            try {
                drains.add(dispatcher.drain(timeout));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        try {
            java.util.concurrent.CompletableFuture.allOf(drains.toArray(java.util.concurrent.CompletableFuture[]::new))
                    .get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("dispatcher drain did not complete cleanly: {}", e.toString());
        }
    }

    private void awaitDispatched(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (dispatchers.stream().anyMatch(d -> d.getPendingMessageCount() > 0) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        for (Dispatcher dispatcher : dispatchers) {
            if (dispatcher.isActive()) {
                connection.closeDispatcher(dispatcher);
            }
        }
    }
}
