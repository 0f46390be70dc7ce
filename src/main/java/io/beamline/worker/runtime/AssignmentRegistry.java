package io.beamline.worker.runtime;

import io.beamline.worker.contract.ExecResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows every accepted assignment until it finishes, and remembers the last
 * {@code rememberFinished} results after that: the basis of duplicate detection, cancellation,
 * status queries and graceful drain. Thread-safe.
 */
public final class AssignmentRegistry {
    private final Map<String, Step> inFlight = new ConcurrentHashMap<>();
    private final Map<String, ExecResult> finished;
    private final Map<String, io.beamline.worker.contract.Rejection> rejected = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, io.beamline.worker.contract.Rejection> eldest) {
            return size() > 10_000;
        }
    };
    private final Object idle = new Object();

    public AssignmentRegistry(int rememberFinished) {
        this.finished = new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ExecResult> eldest) {
                return size() > rememberFinished;
            }
        };
    }

    /** Registers a newly accepted step; false when the id is running or recently finished. */
    boolean register(Step step) {
        synchronized (finished) {
            if (finished.containsKey(step.id())) {
                return false;
            }
        }
        return inFlight.putIfAbsent(step.id(), step) == null;
    }

    /** Drops a step that was registered but then refused: it never happened. */
    void forget(Step step) {
        inFlight.remove(step.id(), step);
        if (inFlight.isEmpty()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    void finish(Step step, ExecResult result) {
        synchronized (finished) {
            finished.put(step.id(), result);
        }
        inFlight.remove(step.id());
        step.state(Step.State.FINISHED);
        if (inFlight.isEmpty()) {
            synchronized (idle) {
                idle.notifyAll();
            }
        }
    }

    /** Remembers a recent rejection, so a status query can say why an assignment did not run. */
    void rejected(io.beamline.worker.contract.Rejection rejection) {
        synchronized (rejected) {
            rejected.put(rejection.assignmentId(), rejection);
        }
    }

    public Optional<io.beamline.worker.contract.Rejection> rejection(String assignmentId) {
        synchronized (rejected) {
            return Optional.ofNullable(rejected.get(assignmentId));
        }
    }

    public Optional<Step> inFlight(String assignmentId) {
        return Optional.ofNullable(inFlight.get(assignmentId));
    }

    public Optional<ExecResult> finished(String assignmentId) {
        synchronized (finished) {
            return Optional.ofNullable(finished.get(assignmentId));
        }
    }

    public int inFlightCount() {
        return inFlight.size();
    }

    public java.util.Collection<Step> inFlightSteps() {
        return java.util.List.copyOf(inFlight.values());
    }

    /** Waits until no step is in flight; true when that happened within {@code timeout}. */
    public boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (idle) {
            while (!inFlight.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                idle.wait(Math.max(1, left / 1_000_000));
            }
            return true;
        }
    }
}
