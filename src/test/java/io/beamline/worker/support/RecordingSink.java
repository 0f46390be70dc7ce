package io.beamline.worker.support;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.runtime.OutcomeSink;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An {@link OutcomeSink} that keeps everything, in order, for in-process tests. It can also
 * leave results or flushes unconfirmed, as a transport does while the worker dies with a result
 * on its way ({@link #holdResults}, {@link #holdFlushes}).
 */
public final class RecordingSink implements OutcomeSink {
    public final List<Object> all = new CopyOnWriteArrayList<>();
    public final List<ExecAssignmentAck> acks = new CopyOnWriteArrayList<>();
    public final List<ExecResult> results = new CopyOnWriteArrayList<>();
    public final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();
    private volatile boolean holdResults;
    private volatile boolean holdFlushes;

    /** From now on a result is recorded but never confirmed published (JetStream: no PubAck). */
    public void holdResults() {
        holdResults = true;
    }

    /** From now on {@link #flushed} never completes (core NATS: the result still in the client's buffer). */
    public void holdFlushes() {
        holdFlushes = true;
    }

    @Override
    public CompletableFuture<Void> flushed() {
        return holdFlushes ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> ack(ExecAssignmentAck ack) {
        acks.add(ack);
        all.add(ack);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> result(ExecResult result) {
        results.add(result);
        all.add(result);
        return holdResults ? new CompletableFuture<>() : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
        deadLetters.add(letter);
        all.add(letter);
        return CompletableFuture.completedFuture(null);
    }

    public Optional<ExecResult> resultFor(String assignmentId) {
        return results.stream().filter(r -> r.assignmentId().equals(assignmentId)).findFirst();
    }

    public Optional<ExecAssignmentAck> ackFor(String assignmentId) {
        return acks.stream().filter(a -> assignmentId.equals(a.assignmentId())).findFirst();
    }
}
