package io.beamline.worker.support;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.runtime.OutcomeSink;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link OutcomeSink} that keeps everything, in order, for in-process tests. */
public final class RecordingSink implements OutcomeSink {
    public final List<Object> all = new CopyOnWriteArrayList<>();
    public final List<ExecAssignmentAck> acks = new CopyOnWriteArrayList<>();
    public final List<ExecResult> results = new CopyOnWriteArrayList<>();
    public final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

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
        return CompletableFuture.completedFuture(null);
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
