package io.beamline.worker.bench;

import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The publishing loop of one phase. Paced runs follow a schedule computed from
 * {@link System#nanoTime()} (assignment n is due at start + n/rate): the sender parks until
 * the next one is due and, when it is late, sends the overdue ones back to back, so the
 * offered rate holds on average whatever the park granularity. Latency is measured from the
 * time an assignment was due, not when it went out, so a stalled sender does not hide a
 * stalled worker (coordinated omission). Publishes go to jnats' outgoing queue, which its
 * writer thread flushes in batches; nothing here flushes per message. Single-threaded: one
 * sender per phase, on the calling thread.
 */
final class Sender {
    private final Connection connection;
    private final AssignmentFactory factory;
    private final OutcomeTracker tracker;
    private final Semaphore window;
    private final LoadgenConfig config;
    private final PhaseEvents events;

    /** What was sent: how many, when the first went out, when the last did, and how many cancels. */
    record Sent(long count, long firstNanos, long lastNanos, long cancels) {
        double seconds() {
            return Math.max(0, lastNanos - firstNanos) / 1e9;
        }
    }

    Sender(Connection connection, AssignmentFactory factory, OutcomeTracker tracker, Semaphore window, LoadgenConfig config) {
        this(connection, factory, tracker, window, config, PhaseEvents.NONE);
    }

    /** As above, also telling {@code events} when each assignment went out. */
    Sender(Connection connection, AssignmentFactory factory, OutcomeTracker tracker, Semaphore window, LoadgenConfig config,
           PhaseEvents events) {
        this.events = events;
        this.connection = connection;
        this.factory = factory;
        this.tracker = tracker;
        this.window = window;
        this.config = config;
    }

    /** Sends up to {@code count} assignments, for at most {@code durationMs} (0 = no limit). */
    Sent send(long count, long durationMs) throws InterruptedException {
        double nanosPerMessage = config.rate() > 0 ? 1e9 / config.rate() : 0;
        boolean windowed = config.maxInFlight() > 0;
        long start = System.nanoTime();
        long sendingNanos = durationMs > 0 ? TimeUnit.MILLISECONDS.toNanos(durationMs) : Long.MAX_VALUE;
        long cancels = 0;
        long seq = 0;
        for (; seq < count; seq++) {
            long due = start + (long) (seq * nanosPerMessage);
            if (nanosPerMessage > 0) {
                parkUntil(due);
            }
            if (windowed && !enterWindow(sendingNanos - (System.nanoTime() - start))) {
                break;
            }
            long now = System.nanoTime();
            if (now - start >= sendingNanos) {
                break;
            }
            tracker.sent(seq, nanosPerMessage > 0 ? due : now);
            publish(Subjects.ASSIGN, factory.assignment(seq));
            events.sent(now);
            if (cancels(seq)) {
                publish(Subjects.CANCEL, factory.cancel(seq));
                cancels++;
            }
        }
        return new Sent(seq, start, System.nanoTime(), cancels);
    }

    /**
     * Takes a window slot. False when none frees up before the run's end, or for
     * {@code --timeout-ms}: nothing answers any more, and waiting longer would not end the run.
     */
    private boolean enterWindow(long sendingLeftNanos) throws InterruptedException {
        long patience = Math.min(TimeUnit.MILLISECONDS.toNanos(config.timeoutMs()), Math.max(0, sendingLeftNanos));
        return window.tryAcquire(patience, TimeUnit.NANOSECONDS);
    }

    /** Spreads cancels evenly: assignment n is cancelled when floor((n+1)f) > floor(nf). */
    private boolean cancels(long seq) {
        double fraction = config.cancelFraction();
        return fraction > 0 && Math.floor((seq + 1) * fraction) > Math.floor(seq * fraction);
    }

    private static void parkUntil(long due) throws InterruptedException {
        long remaining;
        while ((remaining = due - System.nanoTime()) > 0) {
            LockSupport.parkNanos(remaining);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
    }

    /** Publishes, waiting while jnats' outgoing queue is full rather than losing the message. */
    private void publish(String subject, byte[] message) throws InterruptedException {
        while (true) {
            try {
                connection.publish(subject, message);
                return;
            } catch (IllegalStateException full) {
                if (connection.getStatus() == Connection.Status.CLOSED) {
                    throw full;
                }
                Thread.sleep(1);
            }
        }
    }
}
