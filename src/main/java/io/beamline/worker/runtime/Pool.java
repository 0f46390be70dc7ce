package io.beamline.worker.runtime;

import io.beamline.worker.contract.ResourcePool;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One resource pool: at most {@code concurrency} steps run at once; the rest wait in a queue.
 * Decisions are made under the lock, work runs outside it (as OkHttp's Dispatcher does): a
 * thread that finishes a step takes the next one itself, so a slot is held before work is
 * pulled. IO and GPU steps run on virtual threads; CPU steps on platform threads.
 * Thread-safe.
 */
public final class Pool implements AutoCloseable {
    private final ResourcePool kind;
    private final int concurrency;
    private final ExecutorService threads;
    private final Deque<Runnable> queue = new ArrayDeque<>();
    private final Object lock = new Object();
    private int active;

    public Pool(ResourcePool kind, int concurrency) {
        if (concurrency <= 0) {
            throw new IllegalArgumentException(kind.wireName() + "-pool-size must be > 0, got " + concurrency);
        }
        this.kind = kind;
        this.concurrency = concurrency;
        this.threads = kind == ResourcePool.CPU
                ? Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name("cpu-pool-", 0).daemon(true).factory())
                : Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(kind.wireName() + "-step-", 0).factory());
    }

    public ResourcePool kind() {
        return kind;
    }

    public int concurrency() {
        return concurrency;
    }

    /** Runs {@code task} now if a slot is free, else queues it. */
    public void submit(Runnable task) {
        synchronized (lock) {
            if (active >= concurrency) {
                queue.addLast(task);
                return;
            }
            active++;
        }
        threads.execute(() -> drainFrom(task));
    }

    /** Removes a queued task that has not started; true when it was still queued. */
    public boolean remove(Runnable task) {
        synchronized (lock) {
            return queue.remove(task);
        }
    }

    public int queueDepth() {
        synchronized (lock) {
            return queue.size();
        }
    }

    public int activeCount() {
        synchronized (lock) {
            return active;
        }
    }

    private void drainFrom(Runnable first) {
        Runnable task = first;
        while (task != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                // tasks report their own failures; this only keeps the slot accounting right
            }
            synchronized (lock) {
                task = queue.pollFirst();
                if (task == null) {
                    active--;
                }
            }
        }
    }

    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.shutdownNow();
    }
}
