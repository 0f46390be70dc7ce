package io.beamline.worker.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that admitted steps, queued or running, may occupy across all pools, from
 * {@code --max-memory-mb}. Even with bounded queues off, admission refuses (4002) rather than
 * letting the heap fill up. A step's size is an estimate of its decoded form ({@link #estimate});
 * it is held from admission until the step has run or left the queue. Thread-safe.
 */
public final class QueueMemory {
    /** Fixed cost of an admitted step (records, strings, queue nodes), measured on JDK 21-25. */
    private static final long PER_STEP_OVERHEAD = 1200;

    private final long limitBytes;
    private final AtomicLong used = new AtomicLong();

    public QueueMemory(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    /** The heap a step of {@code payloadBytes} raw JSON occupies once decoded. */
    public static long estimate(int payloadBytes) {
        return PER_STEP_OVERHEAD + 2L * payloadBytes;
    }

    boolean tryReserve(long bytes) {
        return tryReplace(0, bytes);
    }

    /**
     * Gives back {@code freedBytes} and reserves {@code bytes} in one step, or does neither when
     * the result would pass the limit: a {@code drop_oldest} eviction happens only when it makes
     * room for the step that causes it.
     */
    boolean tryReplace(long freedBytes, long bytes) {
        while (true) {
            long current = used.get();
            long next = current - freedBytes + bytes;
            if (next > limitBytes) {
                return false;
            }
            if (used.compareAndSet(current, next)) {
                return true;
            }
        }
    }

    void release(long bytes) {
        used.addAndGet(-bytes);
    }

    public long usedBytes() {
        return used.get();
    }

    public long limitBytes() {
        return limitBytes;
    }
}
