package io.beamline.worker.runtime;

import io.beamline.worker.contract.ExecResult;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Knows every accepted assignment until it finishes, and remembers the last
 * {@code rememberFinished} finished steps after that ({@link FinishedSteps}): the basis of
 * duplicate detection, cancellation, status queries and graceful drain. A full result is held
 * only until its outcome is stored ({@link #resultStored}), so that a durable transport's
 * redelivery can publish it again. Thread-safe.
 */
public final class AssignmentRegistry {
    private final Map<String, Step> inFlight = new ConcurrentHashMap<>();
    private final FinishedSteps finished;
    private final Map<String, ExecResult> unstored;
    private final Map<String, io.beamline.worker.contract.Rejection> rejected = new LinkedHashMap<>(256, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, io.beamline.worker.contract.Rejection> eldest) {
            return size() > 10_000;
        }
    };
    private final Object idle = new Object();

    public AssignmentRegistry(int rememberFinished) {
        this.finished = new FinishedSteps(rememberFinished);
        this.unstored = bounded(rememberFinished);
    }

    private static <V> Map<String, V> bounded(int capacity) {
        return new LinkedHashMap<>(1024, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /** Registers a newly accepted step; false when the id is running or recently finished. */
    boolean register(Step step) {
        synchronized (finished) {
            if (finished.contains(step.id())) {
                return false;
            }
            step.fingerprint(finished.lastHigh(), finished.lastLow());
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

    /**
     * Holds a result until {@code stored} completes (its outcome is stored), so that a redelivery
     * can publish it again meanwhile; a publish that fails keeps it held.
     */
    void holdUntilStored(ExecResult result, CompletableFuture<?> stored) {
        synchronized (unstored) {
            unstored.put(result.assignmentId(), result);
        }
        stored.thenRun(() -> {
            synchronized (unstored) {
                unstored.remove(result.assignmentId(), result);
            }
        });
    }

    /** The full result of a finished step whose outcome is not known to be stored yet. */
    Optional<ExecResult> unstoredResult(String assignmentId) {
        synchronized (unstored) {
            return Optional.ofNullable(unstored.get(assignmentId));
        }
    }

    void finish(Step step, ExecResult result) {
        synchronized (finished) {
            if (step.fingerprinted()) {
                finished.add(step.idHigh(), step.idLow(), FinishedStep.of(result, step.delivery().sequence()));
            } else {
                finished.add(step.id(), FinishedStep.of(result, step.delivery().sequence()));
            }
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
        if (rejection.assignmentId() == null) {
            return;  // nothing to look it up by
        }
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

    /** What is remembered of a finished step: its status and a few figures of its result. */
    public Optional<FinishedStep> finished(String assignmentId) {
        synchronized (finished) {
            return finished.get(assignmentId);
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
