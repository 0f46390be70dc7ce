package io.beamline.worker.transport;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.runtime.OutcomeSink;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;

/**
 * The {@code run} mode's output: every ack, result and dead letter as one JSON object per line,
 * exactly the message that {@code serve} would publish. Lines are written whole and flushed,
 * so concurrent steps never interleave. Thread-safe.
 */
public final class JsonLinesOutcomeSink implements OutcomeSink {
    private final OutputStream out;

    public JsonLinesOutcomeSink(OutputStream out) {
        this.out = out;
    }

    @Override
    public CompletableFuture<Void> ack(ExecAssignmentAck ack) {
        return writeLine(Json.write(ack));
    }

    @Override
    public CompletableFuture<Void> result(ExecResult result) {
        return writeLine(Json.write(result));
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
        return writeLine(Json.write(letter));
    }

    /** Any other message the embedded mode shows, e.g. an approval request with its decision links. */
    public void notice(Object message) {
        writeLine(Json.write(message));
    }

    private synchronized CompletableFuture<Void> writeLine(byte[] json) {
        try {
            out.write(json);
            out.write('\n');
            out.flush();
            return CompletableFuture.completedFuture(null);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException("cannot write output", e));
        }
    }
}
