package io.beamline.worker.transport;

/** Where assignments come from: core NATS ({@link CoreNatsTransport}) or JetStream ({@link JetStreamTransport}). */
public interface Intake extends AutoCloseable {

    void start() throws Exception;

    /** Stops taking new assignments; those already received go on. */
    void stopReceiving();

    /** Waits until every received message is settled with the server (JetStream acks), at most {@code timeout}. */
    default void awaitSettled(java.time.Duration timeout) throws InterruptedException {
    }

    /**
     * Messages the NATS client dropped before the worker read them (a slow consumer beyond its
     * pending limit): nobody answered them, the Router retries them after its timeout.
     */
    default long droppedMessages() {
        return 0;  // JetStream pulls only what it has room for: nothing is dropped
    }

    @Override
    void close();
}
