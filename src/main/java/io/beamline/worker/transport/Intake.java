package io.beamline.worker.transport;

/** Where assignments come from: core NATS ({@link CoreNatsTransport}) or JetStream ({@link JetStreamTransport}). */
public interface Intake extends AutoCloseable {

    void start() throws Exception;

    /** Stops taking new assignments; those already received go on. */
    void stopReceiving();

    /** Waits until every received message is settled with the server (JetStream acks), at most {@code timeout}. */
    default void awaitSettled(java.time.Duration timeout) throws InterruptedException {
    }

    @Override
    void close();
}
