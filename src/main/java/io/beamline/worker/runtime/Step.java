package io.beamline.worker.runtime;

import io.beamline.worker.contract.ExecAssignment;

/**
 * One accepted assignment on its way through the worker. Its state is read by other threads
 * (status queries, cancellation, drain), so the mutable parts are volatile. The task queued in
 * the pool is this object itself.
 */
public final class Step implements Runnable {

    public enum State { QUEUED, RUNNING, BACKING_OFF, WAITING, FINISHED }

    /** Why a step was asked to stop before finishing by itself. */
    public enum StopReason { CANCELLED, SHUTDOWN }

    private final ExecAssignment assignment;
    // while queued, its neighbours in its pool's arrival order (FairQueue; guarded by the pool's lock)
    Step olderQueued;
    Step newerQueued;
    boolean queued;
    // the pool whose slot it runs in, whether it holds that slot now (not while it waits to
    // retry), and its thread while it waits for a slot again (guarded by that pool's lock; the
    // step's own thread reads them after taking that lock, or once the pool handed it over)
    private Pool slotPool;
    private boolean holdsSlot;
    private Thread reclaimer;
    // the id's fingerprint in FinishedSteps, taken when registered so that finishing does not
    // hash the id again (guarded by the registry's lock of its finished steps)
    private boolean fingerprinted;
    private long idHigh;
    private long idLow;
    /** The message as it arrived: a dead letter carries it (kept while the step lives; no copy). */
    private final byte[] payload;
    private final long acceptedNanos;
    private final long acceptedAtMs;
    private final StepExecutor executor;
    private volatile State state = State.QUEUED;
    private volatile int attempt;
    private volatile long backoffUntilMs;
    private volatile long cpuMs;
    private volatile io.beamline.worker.contract.ExecError lastError;
    private volatile StepTracer.Span receiveSpan = StepTracer.Span.NONE;
    private volatile Delivery delivery = Delivery.NONE;
    private Thread runner;  // guarded by this
    // whether endInterruptiblePart ran: written and read by the step's own thread only (run())
    private boolean interruptiblePartEnded;
    private volatile StopReason stopReason;
    private final java.util.concurrent.atomic.AtomicBoolean completed = new java.util.concurrent.atomic.AtomicBoolean();

    Step(ExecAssignment assignment, byte[] payload, long acceptedNanos, long acceptedAtMs, StepExecutor executor) {
        this.assignment = assignment;
        this.payload = payload;
        this.acceptedNanos = acceptedNanos;
        this.acceptedAtMs = acceptedAtMs;
        this.executor = executor;
    }

    @Override
    public void run() {
        synchronized (this) {
            runner = Thread.currentThread();
        }
        try {
            executor.execute(this);
        } finally {
            if (!interruptiblePartEnded) {  // else done already, and nothing can interrupt it since
                endInterruptiblePart();  // a stop request that came late must not leak into the next step on this thread
            }
        }
    }

    public ExecAssignment assignment() {
        return assignment;
    }

    public String id() {
        return assignment.assignmentId();
    }

    public String tenantId() {
        return assignment.tenantId();
    }

    void fingerprint(long high, long low) {
        this.idHigh = high;
        this.idLow = low;
        this.fingerprinted = true;
    }

    boolean fingerprinted() {
        return fingerprinted;
    }

    long idHigh() {
        return idHigh;
    }

    long idLow() {
        return idLow;
    }

    /** While it waits to retry: its slot serves other steps meanwhile (outside a pool, nothing). */
    void yieldSlot() {
        if (slotPool != null) {
            slotPool.yieldSlot(this);
        }
    }

    /** Before its next attempt: waits for a slot again; returns without one when interrupted first. */
    void reclaimSlot() {
        if (slotPool != null) {
            slotPool.reclaimSlot(this);
        }
    }

    /** Whether it runs in a pool and holds no slot there: stopped while waiting for one again. */
    boolean lostSlot() {
        return slotPool != null && !holdsSlot;
    }

    boolean holdsSlot() {
        return holdsSlot;
    }

    void slot(Pool pool, boolean held) {
        this.slotPool = pool;
        this.holdsSlot = held;
    }

    Thread reclaimer() {
        return reclaimer;
    }

    void reclaimer(Thread thread) {
        this.reclaimer = thread;
    }

    /** Heap this step occupies from admission until it has run (what the pool's memory budget counts). */
    long estimatedBytes() {
        return QueueMemory.estimate(payload.length);
    }

    /** The size of the assignment's message: what a tenant's bytes-in-flight quota counts. */
    int payloadBytes() {
        return payload.length;
    }

    /** The assignment's message as it arrived; empty for a step resumed after a restart. */
    byte[] payload() {
        return payload;
    }

    public State state() {
        return state;
    }

    public int attempt() {
        return attempt;
    }

    public long acceptedAtMs() {
        return acceptedAtMs;
    }

    long acceptedNanos() {
        return acceptedNanos;
    }

    void state(State newState) {
        this.state = newState;
    }

    void attempt(int number) {
        this.attempt = number;
    }

    /** The transport's handle on the message that brought this step. */
    Delivery delivery() {
        return delivery;
    }

    /** Whether this step's message can go back to its transport for another worker. */
    public boolean handsBack() {
        return delivery.handsBack();
    }

    void delivery(Delivery handle) {
        this.delivery = handle;
    }

    /** The span the step was received in: parent of its execute and publish spans. */
    StepTracer.Span receiveSpan() {
        return receiveSpan;
    }

    void receiveSpan(StepTracer.Span span) {
        this.receiveSpan = span;
    }

    /** The error of the latest failed attempt, while the step goes on. */
    public java.util.Optional<io.beamline.worker.contract.ExecError> lastError() {
        return java.util.Optional.ofNullable(lastError);
    }

    void lastError(io.beamline.worker.contract.ExecError error) {
        this.lastError = error;
    }

    long cpuMs() {
        return cpuMs;
    }

    void cpuMs(long millis) {
        this.cpuMs = millis;
    }

    /** When the current backoff wait ends (epoch ms); meaningful in state BACKING_OFF. */
    public long backoffUntilMs() {
        return backoffUntilMs;
    }

    void backingOff(long untilMs) {
        this.backoffUntilMs = untilMs;
        this.state = State.BACKING_OFF;
    }

    public java.util.Optional<StopReason> stopReason() {
        return java.util.Optional.ofNullable(stopReason);
    }

    /** Claims the right to publish this step's final result; true exactly once. */
    boolean claimCompletion() {
        return completed.compareAndSet(false, true);
    }

    /** Trips the cooperative token: the block may notice and stop by itself. */
    void requestStop(StopReason reason) {
        stopReason = reason;
    }

    /**
     * Called by the step's own thread once its block and retry waits are over: a stop from now
     * on no longer interrupts it, and one that already did is cleared. Publishing the result
     * must not be interrupted.
     */
    synchronized void endInterruptiblePart() {
        runner = null;
        Thread.interrupted();
        interruptiblePartEnded = true;
    }

    /** The forced half of a stop: interrupts the thread running this step, if it still is. */
    synchronized void interruptIfRunning() {
        Thread thread = runner;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
