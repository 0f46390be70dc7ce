package io.beamline.worker.block.fs;

import java.io.IOException;
import java.nio.channels.Channel;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The time limit of one file operation, enforced without a second thread doing the IO: the
 * operation runs on the calling thread and calls {@link #check()} between chunks, and a timer
 * closes the channel the operation {@link #watch watches} once the limit passes, so its next
 * read, write or force fails with {@link java.nio.channels.ClosedChannelException}. Nothing
 * keeps running after {@link #close()}: the timer is cancelled.
 *
 * <p>What the close can and cannot do (JDK 21-25): a platform thread blocked in a file read or
 * write is released at once (the JDK signals it); a virtual thread is not, because file IO pins
 * it to its carrier and the JDK does not signal virtual threads, so the close completes when the
 * current system call returns. On regular local files that is one chunk, which is what bounds
 * the overrun; sources that can block forever (FIFOs, devices) are refused before they are
 * opened. The close runs on its own short-lived virtual thread so that this wait never holds up
 * the scheduler serving every other deadline.
 *
 * <p>Not thread-safe: one instance belongs to the thread running the operation; the timer task
 * touches only the volatile fields.
 */
final class OperationDeadline implements AutoCloseable {
    private static final OperationDeadline UNLIMITED = new OperationDeadline("unlimited", Duration.ZERO, Long.MAX_VALUE);

    private final String operation;
    private final Duration limit;
    private final long deadlineNanos;
    private volatile boolean fired;
    private volatile Channel watched;
    private ScheduledFuture<?> timer;

    private OperationDeadline(String operation, Duration limit, long deadlineNanos) {
        this.operation = operation;
        this.limit = limit;
        this.deadlineNanos = deadlineNanos;
    }

    /** An operation without a time limit (timeouts switched off). */
    static OperationDeadline unlimited() {
        return UNLIMITED;
    }

    /** Starts the clock of {@code operation} (e.g. "write"), which may take {@code limit}. */
    static OperationDeadline start(String operation, Duration limit, ScheduledExecutorService scheduler) {
        OperationDeadline deadline = new OperationDeadline(operation, limit, System.nanoTime() + limit.toNanos());
        deadline.timer = scheduler.schedule(deadline::fire, limit.toNanos(), TimeUnit.NANOSECONDS);
        return deadline;
    }

    /** From now on, passing the deadline closes {@code channel} (at once if it has passed). */
    void watch(Channel channel) {
        if (this == UNLIMITED) {
            return;
        }
        watched = channel;
        // the timer sets fired before it reads watched, so one of the two sides closes the channel
        if (fired) {
            closeQuietly(channel);
        }
    }

    /** Throws when the limit has passed; called between chunks and steps of the operation. */
    void check() throws OperationTimeoutException {
        if (expired()) {
            throw new OperationTimeoutException(operation + " did not finish within " + limit.toMillis() + " ms");
        }
    }

    boolean expired() {
        return this != UNLIMITED && (fired || System.nanoTime() - deadlineNanos >= 0);
    }

    Duration limit() {
        return limit;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.cancel(false);
        }
        watched = null;
    }

    private void fire() {
        fired = true;
        Channel channel = watched;
        if (channel != null) {
            // closing waits until a virtual thread's IO leaves the kernel (see above)
            Thread.ofVirtual().name("fs-timeout-close").start(() -> closeQuietly(channel));
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // the channel is unusable either way; the operation reports the timeout
        }
    }

    /** The operation ran out of time; blocks report it as 5002 cancelled by timeout. */
    static final class OperationTimeoutException extends IOException {
        OperationTimeoutException(String message) {
            super(message);
        }
    }
}
