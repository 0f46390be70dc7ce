package io.beamline.worker.runtime;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import java.util.concurrent.CompletableFuture;

/**
 * Where the runtime sends what it decides: acks, results and dead letters. Implemented by the
 * core NATS publisher and the JSON-lines writer (complete at once: handed to the connection or
 * written), and by the JetStream publisher (completes when the server confirmed it stored the
 * message). Implementations are thread-safe and never throw: a failed publish completes the
 * future exceptionally. The one exception: {@link #result} throws {@link OutcomeTooLargeException},
 * having sent nothing, when the result is larger than the transport carries.
 */
public interface OutcomeSink {

    CompletableFuture<Void> ack(ExecAssignmentAck ack);

    CompletableFuture<Void> result(ExecResult result);

    /**
     * The result of the step of the stream message at {@code sequence} (-1: no stream): a durable
     * transport keeps the two together in its completed-step record. Others publish the result.
     */
    default CompletableFuture<Void> result(ExecResult result, long sequence) {
        return result(result);
    }

    CompletableFuture<Void> deadLetter(DeadLetter letter);

    /**
     * Completes once everything published before the call has reached the server: for a sink
     * whose futures complete when a message is handed to the connection (core NATS), a flush
     * round trip; for the others (JetStream: stored; JSON lines: written and flushed) at once.
     * Used where a step's result must be known to be out before its durable state is let go
     * (an approval's store). Never throws: a failure completes the future exceptionally.
     */
    default CompletableFuture<Void> flushed() {
        return CompletableFuture.completedFuture(null);
    }
}
