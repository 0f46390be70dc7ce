package io.beamline.worker.contract;

import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;

/**
 * Where Jackson gets its read and write buffers. Platform threads (the NATS dispatcher decoding
 * every assignment) keep theirs in a ThreadLocal, Jackson's default and the cheapest. Virtual
 * threads (a new one per step) would allocate fresh buffers every time from a ThreadLocal, so
 * they share a concurrent pool. Each buffer goes back to the pool it came from: the thread that
 * releases it is the thread that took it.
 */
final class JsonBufferPool implements RecyclerPool<BufferRecycler> {
    private static final long serialVersionUID = 1L;

    private final RecyclerPool<BufferRecycler> platform = JsonRecyclerPools.threadLocalPool();
    private final RecyclerPool<BufferRecycler> shared = JsonRecyclerPools.newConcurrentDequePool();

    @Override
    public BufferRecycler acquireAndLinkPooled() {
        return pool().acquireAndLinkPooled();  // linked to the sub-pool, which gets it back
    }

    @Override
    public BufferRecycler acquirePooled() {
        return pool().acquirePooled();
    }

    @Override
    public void releasePooled(BufferRecycler pooled) {
        pool().releasePooled(pooled);
    }

    private RecyclerPool<BufferRecycler> pool() {
        return Thread.currentThread().isVirtual() ? shared : platform;
    }
}
