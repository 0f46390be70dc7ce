package io.beamline.worker.transport;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.OutcomeSink;
import io.nats.client.Connection;
import java.time.Duration;
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

    public NatsOutcomeSink(Connection connection, Duration publishPatience) {
        this.connection = connection;
        this.publishPatience = publishPatience;
    }

    @Override
    public void ack(ExecAssignmentAck ack) {
        publish(Subjects.ACK, Json.write(ack));
    }

    @Override
    public void result(ExecResult result) {
        publish(Subjects.RESULT, Json.write(result));
    }

    @Override
    public void deadLetter(DeadLetter letter) {
        byte[] bytes = Json.write(letter);
        if (bytes.length > connection.getMaxPayload()) {
            // A payload full of characters that JSON must escape can outgrow the message limit.
            bytes = Json.write(letter.withoutPayload());
        }
        publish(Subjects.DEAD_LETTER, bytes);
    }

    private void publish(String subject, byte[] bytes) {
        long deadline = System.nanoTime() + publishPatience.toNanos();
        long backoffMs = 5;
        while (true) {
            try {
                connection.publish(subject, bytes);
                return;
            } catch (IllegalStateException e) {
                // output queue or reconnect buffer full, or connection closed
                if (System.nanoTime() > deadline || connection.getStatus() == Connection.Status.CLOSED) {
                    log.error("could not publish on {} ({} bytes): {}", subject, bytes.length, e.getMessage());
                    return;
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    log.error("interrupted while publishing on {}", subject);
                    return;
                }
                backoffMs = Math.min(500, backoffMs * 2);
            }
        }
    }
}
