package io.beamline.worker.block.human;

import io.beamline.worker.block.human.DecisionOutcome.Accepted;
import io.beamline.worker.block.human.DecisionOutcome.Refusal;
import io.beamline.worker.block.human.DecisionOutcome.Refused;
import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.Json;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pending approvals: opens them, takes decisions, runs deadlines, and completes the future
 * each waiting step parks on. A waiting step costs one future and one timer; no thread.
 *
 * <p>The store is the truth ({@link ApprovalTransitions} changes it, one transaction per
 * change); a future is completed only after the final state is committed. {@link #open}
 * registers its future before reading the store, so a decision committed in between is never
 * missed. Thread-safe.
 */
public final class ApprovalService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("approvals");
    private static final long PURGE_EVERY_MS = TimeUnit.HOURS.toMillis(6);
    private static final long EXPIRY_RETRY_MS = 5_000;

    private final ApprovalStore store;
    private final ApprovalTransitions transitions;
    private final Clock clock;
    private final ApprovalConfig config;
    private final ScheduledExecutorService scheduler;
    private final ApprovalNotifications notifications;
    private final Map<String, CompletableFuture<ApprovalOutcome>> waiting = new ConcurrentHashMap<>();
    private final Map<String, ScheduledFuture<?>> deadlines = new ConcurrentHashMap<>();
    private volatile ScheduledFuture<?> purge;
    private volatile boolean closed;

    private ApprovalService(ApprovalStore store, ApprovalNotifier notifier, Clock clock, ApprovalConfig config,
                            ScheduledExecutorService scheduler) {
        this.store = store;
        this.transitions = new ApprovalTransitions(store);
        this.clock = clock;
        this.config = config;
        this.scheduler = scheduler;
        this.notifications = new ApprovalNotifications(store, notifier, config.publicUrl(), scheduler, () -> closed);
    }

    /**
     * Starts the service on {@code store}: purges old finished approvals and schedules the
     * deadline of every pending one (one that passed while the worker was down expires at
     * once). The caller keeps ownership of the store and the scheduler.
     */
    public static ApprovalService create(ApprovalStore store, ApprovalNotifier notifier, Clock clock,
                                         ApprovalConfig config, ScheduledExecutorService scheduler) {
        ApprovalService service = new ApprovalService(store, notifier, clock, config, scheduler);
        service.purgeFinished();
        store.pending(Optional.empty()).forEach(approval -> service.scheduleDeadline(approval.id(), approval.deadline()));
        service.purge = scheduler.scheduleWithFixedDelay(service::purgeFinished, PURGE_EVERY_MS, PURGE_EVERY_MS,
                TimeUnit.MILLISECONDS);
        return service;
    }

    /**
     * The outcome of the approval for {@code assignment}, opening it if needed. Idempotent: an
     * approval that already exists (redelivery, or resumption after a restart) is reused and
     * its approvers are not notified again.
     */
    public CompletableFuture<ApprovalOutcome> open(ExecAssignment assignment, HumanApprovalJob job) {
        if (closed) {
            throw new IllegalStateException("approval service is closed");
        }
        String id = assignment.assignmentId();
        CompletableFuture<ApprovalOutcome> created = new CompletableFuture<>();
        CompletableFuture<ApprovalOutcome> registered = waiting.putIfAbsent(id, created);
        CompletableFuture<ApprovalOutcome> outcome = registered == null ? created : registered;
        Approval approval = store.transaction(() -> {
            Optional<Approval> existing = store.find(id);
            if (existing.isPresent()) {
                return existing.get();
            }
            Approval fresh = fresh(assignment, job);
            store.insert(fresh, Json.writeString(assignment));
            return fresh;
        });
        if (!approval.tenantId().equals(assignment.tenantId())) {
            waiting.remove(id, created);
            return CompletableFuture.completedFuture(new ApprovalOutcome.Refused(
                    "assignment id " + id + " already names an approval of another tenant"));
        }
        if (approval.state().isFinal()) {
            outcome.complete(outcomeOf(approval));
            return outcome;
        }
        scheduleDeadline(id, approval.deadline());
        notifications.ensureNotified(id);
        return outcome;
    }

    /** Counts one decision, or refuses it and says why; either way it goes to the audit trail. */
    public DecisionOutcome decide(String id, Decision decision) {
        if (closed) {
            return new Refused(Refusal.UNAVAILABLE, "the worker is shutting down; try again shortly");
        }
        DecisionOutcome outcome = transitions.decide(id, decision, clock.millis());
        if (outcome instanceof Accepted accepted && accepted.approval().state().isFinal()) {
            settle(accepted.approval());
        }
        return outcome;
    }

    /**
     * Refuses a decision request whose body could not be read ({@code MALFORMED} or
     * {@code TOO_LARGE}), and records the attempt under that reason.
     */
    public DecisionOutcome refuseUnread(String id, Refusal refusal, String problem) {
        return transitions.refuseUnread(id, refusal, problem, clock.millis());
    }

    /**
     * Cancels a pending approval because its step was cancelled. Returns the final outcome:
     * {@code Cancelled}, or the decision that came first. Empty when the id is unknown or the
     * service is closed: at shutdown an approval stays pending for the next start.
     */
    public Optional<ApprovalOutcome> cancel(String id, String reason) {
        if (closed) {
            return Optional.empty();
        }
        Optional<Approval> after = transitions.cancel(id, reason, clock.millis());
        after.ifPresent(this::settle);
        return after.map(ApprovalService::outcomeOf);
    }

    /**
     * Records that the result of this approval's step is out (published, and flushed or stored),
     * so a restart does not resume it. Until then a restart publishes the final outcome again.
     * Only the approval of {@code tenantId} in a final state is marked.
     */
    public void collected(String id, String tenantId) {
        store.markCollected(id, tenantId);
        waiting.remove(id);
    }

    /** Assignments to resume after a restart: approvals pending, or final but not yet collected. */
    public List<ExecAssignment> pendingAssignments() {
        AssignmentDecoder decoder = new AssignmentDecoder();
        List<ExecAssignment> assignments = new ArrayList<>();
        for (String json : store.uncollectedAssignments()) {
            if (decoder.decode(json.getBytes(StandardCharsets.UTF_8)) instanceof Decoded.Valid valid) {
                assignments.add(valid.assignment());
            } else {
                log.error("the stored assignment of an approval no longer decodes; it cannot be resumed: {}", json);
            }
        }
        return assignments;
    }

    public Optional<Approval> find(String id) {
        return store.find(id);
    }

    /** Pending approvals of one tenant, or of all tenants when empty; without audit trails. */
    public List<Approval> pending(Optional<String> tenantId) {
        return store.pending(tenantId);
    }

    /** Stops timers and refuses further changes; pending approvals stay pending in the store. */
    @Override
    public void close() {
        closed = true;
        deadlines.values().forEach(timer -> timer.cancel(false));
        deadlines.clear();
        if (purge != null) {
            purge.cancel(false);
        }
    }

    private Approval fresh(ExecAssignment assignment, HumanApprovalJob job) {
        List<String> approvers = List.copyOf(new LinkedHashSet<>(job.approvers()));
        int required = Math.min(job.requiredApprovals() == null ? 1 : job.requiredApprovals(), approvers.size());
        long timeoutMs = job.timeoutMs() == null ? config.defaultTimeout().toMillis() : job.timeoutMs();
        long now = clock.millis();
        return new Approval(assignment.assignmentId(), assignment.tenantId(), assignment.traceId(), job.prompt(),
                approvers, required, OnTimeout.of(job.onTimeout()), now, now + timeoutMs, ApprovalState.PENDING,
                null, null, List.of(), List.of(), 0);
    }

    private void scheduleDeadline(String id, long deadline) {
        long delay = Math.max(0, deadline - clock.millis());
        deadlines.computeIfAbsent(id, key -> scheduler.schedule(() -> expire(id), delay, TimeUnit.MILLISECONDS));
    }

    private void expire(String id) {
        deadlines.remove(id);
        if (closed) {
            return;
        }
        try {
            Optional<Approval> ended = transitions.expire(id, clock.millis());
            if (ended.isPresent()) {
                settle(ended.get());
            } else {
                // a timer may fire a moment before the clock reaches the deadline: wait again
                store.find(id).filter(Approval::isPending).ifPresent(a -> scheduleDeadline(id, a.deadline()));
            }
        } catch (RuntimeException e) {
            log.error("cannot expire approval {}; trying again in {} ms", id, EXPIRY_RETRY_MS, e);
            deadlines.computeIfAbsent(id, key -> scheduler.schedule(() -> expire(id), EXPIRY_RETRY_MS, TimeUnit.MILLISECONDS));
        }
    }

    /** After a final state is committed: drops the timer and wakes the waiting step. */
    private void settle(Approval approval) {
        ScheduledFuture<?> timer = deadlines.remove(approval.id());
        if (timer != null) {
            timer.cancel(false);
        }
        CompletableFuture<ApprovalOutcome> outcome = waiting.get(approval.id());
        if (outcome != null && approval.state().isFinal()) {
            outcome.complete(outcomeOf(approval));
        }
    }

    private void purgeFinished() {
        try {
            int purged = store.purgeFinishedBefore(clock.millis() - config.retention().toMillis());
            if (purged > 0) {
                log.info("purged {} finished approval(s) older than {} days", purged, config.retention().toDays());
            }
        } catch (RuntimeException e) {
            log.warn("cannot purge finished approvals: {}", e.toString());
        }
    }

    static ApprovalOutcome outcomeOf(Approval approval) {
        return switch (approval.state()) {
            case APPROVED, REJECTED -> new ApprovalOutcome.Decided(approval.result());
            case EXPIRED -> new ApprovalOutcome.Expired(approval.deadline());
            case CANCELLED -> new ApprovalOutcome.Cancelled(approval.reason() == null ? "cancelled" : approval.reason());
            case PENDING -> throw new IllegalStateException("approval " + approval.id() + " is still pending");
        };
    }
}
