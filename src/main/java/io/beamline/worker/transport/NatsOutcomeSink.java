package io.beamline.worker.transport;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.OutcomeSink;
import io.beamline.worker.runtime.OutcomeTooLargeException;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes acks, results and dead letters on their core NATS subjects (SPEC §2). While the
 * connection is down jnats buffers publishes; when that buffer is full a publish is retried
 * until the connection is back or {@code publishPatience} runs out, so a short outage does not
 * lose results. Thread-safe (jnats connections are).
 */
public final class NatsOutcomeSink implements OutcomeSink {
    private static final Logger log = LoggerFactory.getLogger("transport");

    private final Connection connection;
    private final Duration publishPatience;
    // flushed(): the requests waiting for the next flush, and whether a flusher runs (guarded by flushes)
    private final Object flushes = new Object();
    private CompletableFuture<Void> nextFlush;
    private boolean flushing;

    public NatsOutcomeSink(Connection connection, Duration publishPatience) {
        this.connection = connection;
        this.publishPatience = publishPatience;
    }

    @Override
    public CompletableFuture<Void> ack(ExecAssignmentAck ack) {
        return publish(Subjects.ACK, Json.write(ack));
    }

    @Override
    public CompletableFuture<Void> result(ExecResult result) {
        return publish(Subjects.RESULT, fitting(Json.write(result), connection.getMaxPayload()));
    }

    /**
     * {@code bytes}, or {@link OutcomeTooLargeException} when a message of them would be refused.
     * A limit of 0 or less is unknown (jnats says -1 before it has the server's info): no check.
     */
    static byte[] fitting(byte[] bytes, long maxPayload) {
        if (exceeds(bytes, maxPayload)) {
            throw new OutcomeTooLargeException(bytes.length, maxPayload);
        }
        return bytes;
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
        return publish(Subjects.DEAD_LETTER, fitted(letter, connection.getMaxPayload()));
    }

    /**
     * The dead letter's bytes; a payload full of characters that JSON must escape can outgrow
     * the message limit, and then the letter goes without it (size and truncation kept).
     */
    static byte[] fitted(DeadLetter letter, long maxPayload) {
        byte[] bytes = Json.write(letter);
        return exceeds(bytes, maxPayload) ? Json.write(letter.withoutPayload()) : bytes;
    }

    private static boolean exceeds(byte[] bytes, long maxPayload) {
        return maxPayload > 0 && bytes.length > maxPayload;
    }

    /**
     * Completes after a flush (PING/PONG) that began after the call: the server has then read
     * every message this connection published before it; until then a publish may still sit in
     * the client's buffer, and dies with the process. Flushes run on a virtual thread of their own.
     */
    @Override
    public CompletableFuture<Void> flushed() {
        // One flush at a time answers every request made before it started: a flush per caller
        // put one PING per approval result on the wire, and a burst of them went past the
        // client's limit of outstanding PINGs, which then dropped the connection.
        synchronized (flushes) {
            if (nextFlush == null) {
                nextFlush = new CompletableFuture<>();
            }
            CompletableFuture<Void> mine = nextFlush;
            if (!flushing) {
                flushing = true;
                Thread.ofVirtual().name("result-flush").start(this::flushWhileAsked);
            }
            return mine;
        }
    }

    /** Flushes until no request is waiting; each flush completes the requests made before it began. */
    private void flushWhileAsked() {
        while (true) {
            CompletableFuture<Void> batch;
            synchronized (flushes) {
                batch = nextFlush;
                nextFlush = null;
                if (batch == null) {
                    flushing = false;
                    return;
                }
            }
            try {
                connection.flush(publishPatience);
                batch.complete(null);
            } catch (Exception e) {
                batch.completeExceptionally(e);
            }
        }
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private CompletableFuture<Void> publish(String subject, byte[] bytes) {
        return Uninterrupted.get(() -> publishNow(subject, bytes));
    }

    private CompletableFuture<Void> publishNow(String subject, byte[] bytes) {
        try {
            connection.publish(subject, bytes);
            return DONE;
        } catch (IllegalStateException e) {
            return publishPatiently(subject, bytes);  // the clock is read only when a publish waits
        }
    }

    private CompletableFuture<Void> publishPatiently(String subject, byte[] bytes) {
        long deadline = System.nanoTime() + publishPatience.toNanos();
        long backoffMs = 5;
        while (true) {
            try {
                connection.publish(subject, bytes);
                return DONE;
            } catch (IllegalStateException e) {
                // output queue or reconnect buffer full, or connection closed
                if (System.nanoTime() > deadline || connection.getStatus() == Connection.Status.CLOSED) {
                    log.error("could not publish on {} ({} bytes): {}", subject, bytes.length, e.getMessage());
                    return CompletableFuture.failedFuture(e);
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    log.error("interrupted while publishing on {}", subject);
                    return CompletableFuture.failedFuture(interrupted);
                }
                backoffMs = Math.min(500, backoffMs * 2);
            }
        }
    }
}
