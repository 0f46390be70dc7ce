package io.beamline.worker.runtime;

import io.beamline.worker.contract.RejectReason;
import io.beamline.worker.contract.ResourcePool;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One resource pool (SPEC §1, §5): at most {@code concurrency} steps run at once, each tenant at
 * most its own limit; the rest wait in a {@link FairQueue}. Admission is two-phase so that the
 * Router sees the ack before the result: {@link #reserve} decides (queue bound, memory budget,
 * {@code drop_oldest} eviction), the caller publishes the ack, {@link #enqueue} makes the step
 * runnable. Decisions are made under the lock and work runs outside it (as OkHttp's
 * Dispatcher): a thread that finishes a step takes the next one itself, so a slot is held
 * before work is pulled. IO and GPU steps run on virtual threads, CPU steps on platform threads.
 *
 * <p>A step of a virtual-thread pool that waits to retry gives its slot up for the wait
 * ({@link #yieldSlot}) and takes one again before its next attempt ({@link #reclaimSlot}), ahead of
 * the steps still queued: a failing destination's backoffs do not hold the pool (with the
 * baseline's waits, 16 failing steps held all of the io pool's slots for 0.1-0.2 s each). A CPU
 * step keeps its slot, which is its platform thread.
 * Thread-safe.
 */
public final class Pool implements AutoCloseable {

    /** The outcome of {@link #reserve}. */
    public sealed interface Admission {
        /** Accepted; under {@code drop_oldest} the queued step it displaced, which must be ended. */
        record Reserved(Optional<Step> evicted) implements Admission {
        }

        record Refused(RejectReason reason, String message, long retryAfterMs) implements Admission {
        }
    }

    /** Bounds of the queue: {@code maxQueued <= 0} means unbounded (flag off). */
    public record Limits(int concurrency, int maxQueued, boolean dropOldest, SchedulingMode scheduling) {
    }

    private final ResourcePool kind;
    private final Limits limits;
    /** Steps estimated at this or more keep their memory share while they run. */
    static final long HELD_WHILE_RUNNING_BYTES = 64 * 1024;
    private final QueueMemory memory;
    private final QuotaConfig quotas;
    private final ExecutorService threads;
    private final FairQueue queue;
    private final Map<String, Integer> runningByTenant = new HashMap<>();
    /** Steps back from a backoff, waiting for a slot; served before the queue, in order. */
    private final ArrayDeque<Step> reclaiming = new ArrayDeque<>();
    /** Whether a step may give its slot up while it waits to retry: not when the slot is a platform thread. */
    private final boolean slotsYield;
    /** False when no tenant has a concurrency limit: then running steps are not counted per tenant. */
    private final boolean perTenantLimits;
    private final Object lock = new Object();
    private int active;
    private int reserved;
    private double averageStepMs = 10;

    public Pool(ResourcePool kind, Limits limits, QueueMemory memory, QuotaConfig quotas) {
        if (limits.concurrency() <= 0) {
            throw new IllegalArgumentException(kind.wireName() + "-pool-size must be > 0, got " + limits.concurrency());
        }
        this.kind = kind;
        this.limits = limits;
        this.memory = memory;
        this.quotas = quotas;
        this.perTenantLimits = quotas.limitsConcurrency();
        this.slotsYield = kind != ResourcePool.CPU;
        this.queue = new FairQueue(limits.scheduling(), tenant -> quotas.limitsFor(tenant).weight());
        this.threads = kind == ResourcePool.CPU
                ? Executors.newFixedThreadPool(limits.concurrency(), Thread.ofPlatform().name("cpu-pool-", 0).daemon(true).factory())
                : Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name(kind.wireName() + "-step-", 0).factory());
    }

    public ResourcePool kind() {
        return kind;
    }

    public int concurrency() {
        return limits.concurrency();
    }

    /** Decides whether {@code step} may join the queue, and holds its place if so. */
    public Admission reserve(Step step) {
        Step evicted = null;
        synchronized (lock) {
            int waiting = queue.size() + reserved;
            if (limits.maxQueued() > 0 && waiting >= limits.maxQueued()) {
                if (!limits.dropOldest() || queue.size() == 0) {
                    return new Admission.Refused(RejectReason.QUEUE_FULL, kind.wireName() + " queue is full ("
                            + limits.maxQueued() + " waiting)", retryAfterMs(waiting));
                }
                evicted = queue.oldest().orElseThrow();
            }
            // decided before anything is evicted: the oldest step goes only if that makes room
            if (!memory.tryReplace(evicted == null ? 0 : evicted.estimatedBytes(), step.estimatedBytes())) {
                return new Admission.Refused(RejectReason.QUEUE_FULL, "queued and running work is at the memory budget ("
                        + memory.limitBytes() / (1024 * 1024) + " MiB)", retryAfterMs(waiting));
            }
            if (evicted != null) {
                queue.remove(evicted);
            }
            reserved++;
        }
        return new Admission.Reserved(Optional.ofNullable(evicted));
    }

    /** Makes a reserved step runnable. */
    public void enqueue(Step step) {
        Step toStart;
        synchronized (lock) {
            reserved--;
            if (queue.size() == 0 && active < limits.concurrency() && mayStart(step.tenantId())) {
                // nothing waits, so fairness has nothing to choose from: the step starts without
                // a trip through the tenants' lanes (most steps, whenever the pool keeps up)
                toStart = step;
                started(step);
            } else {
                queue.add(step);
                toStart = active < limits.concurrency() ? takeNext() : null;
            }
            if (toStart != null) {
                active++;
            }
        }
        if (toStart != null) {
            Step first = toStart;
            threads.execute(() -> drainFrom(first));
        }
    }

    /** Gives back a reservation whose step was refused after all. */
    public void cancelReservation(Step step) {
        synchronized (lock) {
            reserved--;
        }
        memory.release(step.estimatedBytes());
    }

    /** Removes a queued step that has not started; true when it was still queued. */
    public boolean remove(Step step) {
        synchronized (lock) {
            if (!queue.remove(step)) {
                return false;
            }
        }
        memory.release(step.estimatedBytes());
        return true;
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

    /** 1-based position of a queued step, 0 when it is not queued. */
    public int positionOf(Step step) {
        synchronized (lock) {
            return queue.positionOf(step);
        }
    }

    private void drainFrom(Step first) {
        Step step = first;
        int drained = 0;
        while (step != null) {
            // the average step time (for retry-after hints) from every 8th step: two clock
            // reads per step were measurable at 150,000 steps/s
            boolean timed = (drained++ & 7) == 0;
            long started = timed ? System.nanoTime() : 0;
            try {
                step.run();
            } catch (RuntimeException e) {
                // steps report their own failures; this only keeps the slot accounting right
            } finally {
                if (holdsMemoryWhileRunning(step)) {
                    memory.release(step.estimatedBytes());
                }
            }
            synchronized (lock) {
                if (timed) {
                    averageStepMs = 0.9 * averageStepMs + 0.1 * ((System.nanoTime() - started) / 1e6);
                }
                // a step that ended while its slot was given up (stopped during a backoff, or
                // while waiting for a slot again) leaves this thread without one
                step = step.holdsSlot() ? handOver(step) : null;
            }
        }
    }

    /**
     * Gives up the slot of {@code step} (running on this pool, on the calling thread) while it
     * waits to retry; the slot goes to a step waiting for one. No-op in the CPU pool.
     */
    void yieldSlot(Step step) {
        Step toStart;
        synchronized (lock) {
            if (!slotsYield || !step.holdsSlot()) {
                return;
            }
            toStart = handOver(step);
        }
        if (toStart != null) {
            threads.execute(() -> drainFrom(toStart));
        }
    }

    /**
     * Takes a slot again for {@code step}, which gave its own up to wait ({@link #yieldSlot}),
     * waiting for one if need be; returns at once when it holds one. Returns without a slot when
     * the thread is interrupted (the step is being stopped) first; the interrupt stays set, and
     * {@link Step#lostSlot} tells the caller which it was.
     */
    void reclaimSlot(Step step) {
        synchronized (lock) {
            if (step.holdsSlot()) {
                return;
            }
            // every slot freed goes to the steps waiting here first, so a free slot means those
            // still waiting are held back by their tenants' limits, not by this step
            if (active < limits.concurrency() && mayStart(step.tenantId())) {
                active++;
                occupy(step);
                return;
            }
            step.reclaimer(Thread.currentThread());
            reclaiming.addLast(step);
        }
        while (true) {
            LockSupport.park(this);
            synchronized (lock) {
                if (step.holdsSlot()) {
                    return;
                }
                if (Thread.currentThread().isInterrupted()) {
                    reclaiming.remove(step);
                    return;
                }
            }
        }
    }

    /**
     * Under the lock: {@code step} leaves its slot, which goes to the first step waiting to take
     * one back whose tenant may start, else to the next queued step, returned for the caller's
     * thread to run; when neither wants it the slot is free.
     */
    private Step handOver(Step step) {
        leave(step);
        if (!reclaiming.isEmpty() && grantedToReclaiming()) {
            return null;
        }
        Step next = takeNext();
        if (next == null) {
            active--;
        }
        return next;
    }

    /** Under the lock: gives a freed slot to the first step waiting for one whose tenant may start. */
    private boolean grantedToReclaiming() {
        for (Iterator<Step> waiting = reclaiming.iterator(); waiting.hasNext(); ) {
            Step back = waiting.next();
            if (mayStart(back.tenantId())) {
                waiting.remove();
                occupy(back);
                LockSupport.unpark(back.reclaimer());
                return true;
            }
        }
        return false;
    }

    /** Under the lock: the next step a tenant may start, with its slot accounted. */
    private Step takeNext() {
        Step next = queue.poll(this::mayStart);
        if (next != null) {
            started(next);
        }
        return next;
    }

    /**
     * Under the lock: a step leaves the queue for a running slot of its tenant. A large step
     * keeps its share of the memory budget until it has run ({@link #drainFrom}): a running step
     * holds its assignment too, and more (its content, what it writes). Released at the start,
     * as every step's once was, sixteen running 300 KB steps went uncounted, and a burst at a
     * small --max-memory-mb ended the process (OutOfMemoryError) with the steps it had accepted.
     * A small step's share goes at the start, on the thread that reserved it: sixteen of them
     * running are a few kilobytes, and releasing each on the thread that ran it cost the hot
     * path ~1.5 % (the budget's counter bouncing between cores).
     */
    private void started(Step step) {
        occupy(step);
        if (!holdsMemoryWhileRunning(step)) {
            memory.release(step.estimatedBytes());
        }
    }

    /** Whether {@code step} keeps its share of the memory budget while it runs (see {@link #started}). */
    private static boolean holdsMemoryWhileRunning(Step step) {
        return step.estimatedBytes() >= HELD_WHILE_RUNNING_BYTES;
    }

    /** Under the lock: the step holds one of this pool's slots (counted in {@code active} by the caller). */
    private void occupy(Step step) {
        if (perTenantLimits) {
            runningByTenant.merge(step.tenantId(), 1, Integer::sum);
        }
        step.slot(this, true);
    }

    /** Under the lock: the step no longer holds its slot (what becomes of the slot is the caller's). */
    private void leave(Step step) {
        if (perTenantLimits) {
            runningByTenant.computeIfPresent(step.tenantId(), (t, n) -> n == 1 ? null : n - 1);
        }
        step.slot(this, false);
    }

    private boolean mayStart(String tenant) {
        if (!perTenantLimits) {
            return true;
        }
        int limit = quotas.limitsFor(tenant).maxConcurrent();
        return limit <= 0 || runningByTenant.getOrDefault(tenant, 0) < limit;
    }

    /** When a queue this deep will likely have room again, from the recent step duration. */
    private long retryAfterMs(int waiting) {
        return Math.max(50, (long) (averageStepMs * Math.max(1, waiting) / limits.concurrency()));
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
