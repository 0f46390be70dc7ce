package io.beamline.worker.transport;

import java.util.function.Supplier;

/**
 * Runs a jnats publish (or a JetStream ack, which is one) with the calling thread's interrupt
 * flag cleared, and sets the flag again afterwards. jnats' outgoing queue takes its lock with a
 * timed, interruptible wait; on an interrupted thread that wait throws at once, and jnats answers
 * by dropping the message without an exception or a log line. A step stopped while it waits to
 * retry or while it is being interrupted ends on such a thread, so its one final result would be
 * lost. Every message this worker sends goes through here.
 */
final class Uninterrupted {
    private Uninterrupted() {
    }

    static <T> T get(Supplier<T> publish) {
        boolean interrupted = Thread.interrupted();
        try {
            return publish.get();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    static void run(Runnable publish) {
        get(() -> {
            publish.run();
            return null;
        });
    }
}
