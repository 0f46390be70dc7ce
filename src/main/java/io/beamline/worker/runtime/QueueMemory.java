package io.beamline.worker.runtime;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes that queued steps may occupy across all pools, from {@code --max-memory-mb}. Even
 * with bounded queues off, admission refuses (4002) rather than letting the heap fill up.
 * A step's size is an estimate of its decoded form ({@link #estimate}). Thread-safe.
 */
public final class QueueMemory {
    /** Fixed cost of a queued step (records, strings, queue nodes), measured on JDK 21-25. */
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
        while (true) {
            long current = used.get();
            if (current + bytes > limitBytes) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
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
