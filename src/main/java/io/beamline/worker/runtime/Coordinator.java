package io.beamline.worker.runtime;

import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.RejectReason;
import io.beamline.worker.contract.Rejection;
import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.CancelRequest;
import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.time.Clock;
import java.time.Duration;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.StepResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Admission: the one place an incoming message becomes an accepted step, a rejection or a dead
 * letter. Transport-agnostic: NATS core, JetStream and the JSON-lines runner all call
 * {@link #onMessage}. The accepted ack is published before the step is handed to its pool,
 * so the Router always sees the ack before the result. Thread-safe.
 */
public final class Coordinator {
    private static final HexFormat HEX = HexFormat.of();
    private final AssignmentDecoder decoder = new AssignmentDecoder();
    private final BlockRegistry blocks;
    private final Map<io.beamline.worker.contract.ResourcePool, Pool> pools;
    private final AssignmentRegistry registry;
    private final StepExecutor executor;
    private final OutcomeSink sink;
    private final DeadLetters deadLetters;
    private final StepListener listener;
    private final Clock clock;
    private final Duration cancelGrace;
    private final TenantQuotas quotas;
    private final boolean cancellation;
    private final StepTracer tracer;
    /**
     * Refuse at admission ({@code circuit_open}, with retry_after_ms) instead of accepting and
     * answering 2002: lets a Router route elsewhere. Off by default, as SPEC §5 asks for the 2002 result.
     */
    private final boolean rejectWhenCircuitOpen;
    private final ExecutorService waitingLane = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("waiting-step-", 0).factory());
    private final ScheduledExecutorService stopScheduler = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("step-stopper").daemon(true).factory());
    private volatile boolean draining;

    public Coordinator(BlockRegistry blocks, Map<io.beamline.worker.contract.ResourcePool, Pool> pools,
                       AssignmentRegistry registry, StepExecutor executor, OutcomeSink sink,
                       DeadLetters deadLetters, StepListener listener, Clock clock, Duration cancelGrace,
                       TenantQuotas quotas, boolean cancellation, boolean rejectWhenCircuitOpen, StepTracer tracer) {
        this.tracer = tracer;
        this.blocks = blocks;
        this.pools = new EnumMap<>(pools);
        this.registry = registry;
        this.executor = executor;
        this.sink = sink;
        this.deadLetters = deadLetters;
        this.listener = listener;
        this.clock = clock;
        this.cancelGrace = cancelGrace;
        this.quotas = quotas;
        this.cancellation = cancellation;
        this.rejectWhenCircuitOpen = rejectWhenCircuitOpen;
    }

    /** Handles one received message; never throws for anything the message contains. */
    public void onMessage(byte[] payload) {
        onMessage(payload, "", Delivery.NONE);
    }

    /** Handles one message with a W3C {@code traceparent} ("" when none) from a transport with nothing to settle. */
    public void onMessage(byte[] payload, String traceparent) {
        onMessage(payload, traceparent, Delivery.NONE);
    }

    /**
     * Handles one received message that came with a W3C {@code traceparent} header ("" when
     * none), inside the {@code worker.assignment.receive} span.
     */
    public void onMessage(byte[] payload, String traceparent, Delivery delivery) {
        StepTracer.Span span = tracer.startReceive(traceparent);
        try {
            switch (decoder.decode(payload)) {
                case Decoded.Valid valid -> admit(valid.assignment(), payload, span, delivery);
                case Decoded.Invalid invalid -> {
                    // like an accepted assignment, one without a trace_id gets one for its ack and logs
                    Rejection rejection = invalid.rejection().traceId() != null ? invalid.rejection()
                            : invalid.rejection().withTraceId(span.traceId().orElseGet(Coordinator::newTraceId));
                    span.describe(invalid, rejection);
                    span.fail(rejection.message());
                    settleWhenPublished(delivery, reject(rejection),
                            deadLetter(deadLetters.invalid(rejection, payload, invalid.payload())));
                }
                case Decoded.Unreadable unreadable -> {
                    span.fail(unreadable.message());
                    settleWhenPublished(delivery, deadLetter(deadLetters.unreadable(payload,
                            ExecError.of(unreadable.code(), unreadable.message()), unreadable.parsed())));
                }
            }
        } finally {
            span.end();
        }
    }

    /** Settles the message once every one of its outcomes is published (and, with JetStream, stored). */
    private static void settleWhenPublished(Delivery delivery, CompletableFuture<?>... publishes) {
        Delivery.settleWhenPublished(() -> delivery, Optional.empty(), publishes);
    }

    /** The payload of a step resumed after a restart: its message is long gone. */
    private static final byte[] NO_PAYLOAD = new byte[0];

    /** Stops admitting: assignments that arrive from now on are rejected {@code shutting_down}. */
    public void startDraining() {
        draining = true;
    }

    /**
     * {@link #startDraining()}, and a step waiting to retry whose next attempt would come after
     * the {@code grace} period is stopped now instead of holding the shutdown for its whole wait:
     * it can no longer finish here, and the sooner it is handed back (JetStream) or answered with
     * a retryable error (core NATS), the sooner it runs elsewhere.
     */
    public void startDraining(Duration grace) {
        long deadlineMs = clock.millis() + grace.toMillis();
        executor.stopRetriesAfter(deadlineMs);
        startDraining();
        for (Step step : registry.inFlightSteps()) {
            // a step that began its wait before the executor knew the deadline (volatile order:
            // it set its state first, or it sees the deadline itself)
            if (step.state() == Step.State.BACKING_OFF && step.backoffUntilMs() > deadlineMs) {
                stop(step, Step.StopReason.SHUTDOWN, Duration.ZERO);
            }
        }
    }

    public boolean draining() {
        return draining;
    }

    private void admit(ExecAssignment received, byte[] payload, StepTracer.Span span, Delivery delivery) {
        ExecAssignment assignment = received.traceId() != null ? received
                : received.withTraceId(span.traceId().orElseGet(Coordinator::newTraceId));
        span.describe(assignment);
        if (blocks.find(assignment.job()).isEmpty()) {
            refuse(span, delivery, Rejection.of(assignment, RejectReason.UNSUPPORTED_BLOCK,
                    "block type " + assignment.job().blockType() + " is not available on this worker"));
            return;
        }
        if (delivery.completedElsewhere()) {
            refuse(span, delivery, Rejection.of(assignment, RejectReason.DUPLICATE,
                    "assignment " + assignment.assignmentId() + " already completed; its result was stored"));
            return;
        }
        if (draining) {
            refuse(span, delivery, Rejection.of(assignment, RejectReason.SHUTTING_DOWN, "worker is shutting down").withRetryAfter(1000));
            return;
        }
        Optional<Duration> breakerOpen = rejectWhenCircuitOpen ? executor.breakerOpenFor(assignment) : Optional.empty();
        if (breakerOpen.isPresent()) {
            refuse(span, delivery, Rejection.of(assignment, RejectReason.CIRCUIT_OPEN, "circuit breaker for the step's destination is open")
                    .withRetryAfter(Math.max(1, breakerOpen.get().toMillis())));
            return;
        }
        Step step = new Step(assignment, payload, System.nanoTime(), clock.millis(), executor);
        step.receiveSpan(span);
        step.delivery(delivery);
        if (!registry.register(step)) {
            if (delivery.handsBack() && answerRedelivery(assignment.assignmentId(), delivery)) {
                return;  // a durable transport delivered it again: never "duplicate" a step that ran here
            }
            refuse(span, delivery, Rejection.of(assignment, RejectReason.DUPLICATE,
                    "assignment " + assignment.assignmentId() + " is already running or finished on this worker"));
            return;
        }
        Optional<TenantQuotas.Refusal> overQuota = quotas.tryAdmit(assignment.tenantId(), step.payloadBytes());
        if (overQuota.isPresent()) {
            registry.forget(step);
            refuse(span, delivery, Rejection.of(assignment, RejectReason.QUOTA_EXCEEDED, overQuota.get().message())
                    .withRetryAfter(overQuota.get().retryAfterMs()));
            return;
        }
        if (waitsForPeople(assignment)) {
            accept(assignment, step.acceptedAtMs());
            // The message is settled once the approval is stored (StepContext.keptDurably): from
            // then on this worker's durable store owns the step and resumes it after a restart.
            // Not before: a worker dying first would lose an assignment nobody else redelivers.
            waitingLane.execute(step);  // no pool slot, no platform thread: a parked virtual thread
            return;
        }
        Pool pool = pools.get(assignment.pool());
        switch (pool.reserve(step)) {
            case Pool.Admission.Refused refused -> {
                quotas.undoAdmit(assignment.tenantId(), step.payloadBytes());
                registry.forget(step);
                refuse(span, delivery, new Rejection(assignment.assignmentId(), assignment.requestId(), assignment.traceId(),
                        assignment.tenantId(), refused.reason(), refused.message(), refused.retryAfterMs()));
            }
            case Pool.Admission.Reserved reserved -> {
                accept(assignment, step.acceptedAtMs());
                reserved.evicted().ifPresent(evicted -> abandon(evicted, new StepResult.Failed(ExecError.of(
                        ErrorCode.SYSTEM_OVERLOAD, "evicted from the full " + pool.kind().wireName()
                                + " queue by a newer assignment (drop_oldest)"), 0)));
                pool.enqueue(step);
            }
        }
    }

    /**
     * Resumes a step that was accepted before a restart (a pending approval), at
     * {@code acceptedAtMs} when known: it is registered and run again without a new ack; its
     * latency counts from its acceptance.
     */
    public void resume(ExecAssignment assignment, Optional<Long> acceptedAtMs) {
        long now = clock.millis();
        long accepted = Math.min(acceptedAtMs.orElse(now), now);
        Step step = new Step(assignment, NO_PAYLOAD, System.nanoTime() - (now - accepted) * 1_000_000, accepted, executor);
        if (registry.register(step)) {
            waitingLane.execute(step);
        }
    }

    private static boolean waitsForPeople(ExecAssignment assignment) {
        return assignment.job() instanceof HumanApprovalJob;
    }

    /** Publishes the accepted ack, stamped with the step's admission time (one clock read for both). */
    private void accept(ExecAssignment assignment, long acceptedAtMs) {
        sink.ack(ExecAssignmentAck.accepted(assignment, acceptedAtMs));
        listener.accepted(assignment);
    }

    /** Ends a step that never ran (evicted, cancelled while queued, abandoned at shutdown). */
    public void abandon(Step step, StepResult outcome) {
        executor.complete(step, outcome, 0, step.acceptedNanos());
    }

    /**
     * Asks a step to stop. A queued step ends at once with its result; a running one gets the
     * cooperative signal first and is interrupted when it is waiting between attempts, or when
     * it has not stopped by itself after {@code grace}. It then publishes its own result.
     */
    public void stop(Step step, Step.StopReason reason, Duration grace) {
        step.requestStop(reason);
        if (!waitsForPeople(step.assignment()) && pools.get(step.assignment().pool()).remove(step)) {
            if (reason == Step.StopReason.SHUTDOWN && step.delivery().handBack(Duration.ofMillis(100))) {
                executor.handedBack(step);  // another worker takes it; no result from here
            } else {
                abandon(step, StepExecutor.interrupted(step, 0));
            }
        } else if (grace.isZero() || step.state() == Step.State.BACKING_OFF) {
            // never on the caller's thread: interrupting a virtual thread inside file IO can
            // block the interrupter until the system call returns
            stopScheduler.execute(step::interruptIfRunning);
        } else {
            stopScheduler.schedule(step::interruptIfRunning, grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Handles one message from {@code caf.exec.cancel.v1}: a readable cancel (it must name the
     * assignment and its tenant) is applied and what it did returned; anything else becomes a
     * dead letter (nothing received is dropped silently) and the result is empty.
     */
    public Optional<CancelOutcome> onCancelMessage(byte[] payload) {
        Optional<CancelOutcome> applied = applyCancelMessage(payload);
        if (applied.isEmpty()) {
            reportUnreadableCancel(payload);
        }
        return applied;
    }

    /** Applies a readable cancel and returns what it did; an unreadable one is left alone (empty). */
    public Optional<CancelOutcome> applyCancelMessage(byte[] payload) {
        try {
            return Optional.of(cancel(readCancel(payload)));
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * Publishes an unreadable cancel as a dead letter; a readable one is left alone. Every worker
     * hears every cancel, so the transport has this done by one of them (a queue group), and
     * a bad cancel is one dead letter, not one per worker.
     */
    public void reportUnreadableCancel(byte[] payload) {
        try {
            readCancel(payload);
        } catch (IOException | IllegalArgumentException e) {
            // a JSON object travels as one (with its ids), anything else as its text
            JsonNode node = null;
            try {
                node = Json.readTree(payload);
            } catch (IOException notJson) {
                // sent as its text
            }
            Optional<JsonNode> document = node != null && node.isObject() ? Optional.of(node) : Optional.empty();
            // the parser's own words, without its dump of the source
            String why = e instanceof com.fasterxml.jackson.core.JsonProcessingException parse ? parse.getOriginalMessage() : e.getMessage();
            deadLetter(deadLetters.unreadable(payload, ExecError.of(ErrorCode.INVALID_FORMAT,
                    "unreadable cancel request: " + why), document));  // core NATS: nothing to settle
        }
    }

    /** The cancel a message carries; it must name the assignment and its tenant. */
    private static CancelRequest readCancel(byte[] payload) throws IOException {
        JsonNode node = Json.readTree(payload);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object");  // `null` converted to no request at all
        }
        for (String field : List.of("assignment_id", "tenant_id")) {
            JsonNode value = node.get(field);
            if (value != null && !value.isNull() && !value.isTextual()) {
                // not coerced: {"assignment_id": 123} once cancelled the step "123"
                throw new IllegalArgumentException(field + " must be a string");
            }
        }
        CancelRequest request = Json.convert(node, CancelRequest.class);
        if (request.assignmentId() == null || request.assignmentId().isBlank()) {
            throw new IllegalArgumentException("missing assignment_id");
        }
        // the tenant proves whose step it is: without it any step could be stopped by its id
        if (request.tenantId() == null || request.tenantId().isBlank()) {
            throw new IllegalArgumentException("missing tenant_id");
        }
        return request;
    }

    /**
     * A cancel from {@code caf.exec.cancel.v1} (SPEC §5, CP2_CANCELLATION_ENABLED). Unknown or
     * finished assignments, and cancels naming another tenant, are harmless no-ops.
     */
    public CancelOutcome cancel(CancelRequest request) {
        if (!cancellation) {
            return CancelOutcome.DISABLED;  // CP2_CANCELLATION_ENABLED off: the baseline has no cancellation
        }
        Step step = registry.inFlight(request.assignmentId()).orElse(null);
        if (step == null) {
            return CancelOutcome.NOT_IN_FLIGHT;
        }
        if (request.tenantId() != null && !request.tenantId().equals(step.assignment().tenantId())) {
            return CancelOutcome.TENANT_MISMATCH;
        }
        stop(step, Step.StopReason.CANCELLED, cancelGrace);
        return CancelOutcome.STOPPING;
    }

    /** What a cancel request did. */
    public enum CancelOutcome { STOPPING, NOT_IN_FLIGHT, TENANT_MISMATCH, DISABLED }

    /**
     * Refuses an assignment. Overload and shutdown are passing conditions: a transport that can
     * give the message back (JetStream) does so, for another worker or a later try; otherwise
     * the Router gets a rejection ack.
     */
    private void refuse(StepTracer.Span span, Delivery delivery, Rejection rejection) {
        span.fail(rejection.reason().wireName() + ": " + rejection.message());
        boolean passing = rejection.reason() == RejectReason.QUEUE_FULL || rejection.reason() == RejectReason.SHUTTING_DOWN;
        long delay = rejection.retryAfterMs() == null ? 1000 : rejection.retryAfterMs();
        if (passing && delivery.handBack(Duration.ofMillis(delay + ThreadLocalRandom.current().nextLong(delay + 1)))) {
            return;
        }
        settleWhenPublished(delivery, reject(rejection));
    }

    private CompletableFuture<Void> reject(Rejection rejection) {
        registry.rejected(rejection);
        listener.rejected(rejection);
        return sink.ack(ExecAssignmentAck.rejected(rejection, clock.millis()));
    }

    private CompletableFuture<Void> deadLetter(io.beamline.worker.contract.DeadLetter letter) {
        listener.deadLettered(letter);
        return sink.deadLetter(letter);
    }

    /**
     * A redelivered message for a step that still runs here: the step takes the new delivery
     * (the old one is let go), and no second execution starts.
     */
    private static void adoptRedelivery(Step step, Delivery delivery) {
        Delivery previous = step.delivery();
        step.delivery(delivery);
        previous.superseded();
    }

    /**
     * A durable transport delivered a message again (the same stream message, whatever its
     * delivery count says: a consumer whose leader moved starts that again): the running step
     * adopts it; a finished step whose result is not known to be stored publishes it again
     * (dropped as a duplicate by the server if it was); a finished step whose result was stored
     * only settles the message. False for another message with the id: a duplicate.
     */
    private boolean answerRedelivery(String assignmentId, Delivery delivery) {
        Optional<Step> running = registry.inFlight(assignmentId);
        if (running.isPresent()) {
            if (!running.get().delivery().sameMessageAs(delivery)) {
                return false;
            }
            adoptRedelivery(running.get(), delivery);
            return true;
        }
        Optional<ExecResult> unstored = registry.unstoredResult(assignmentId);
        if (unstored.isPresent()) {
            CompletableFuture<Void> republished = sink.result(unstored.get(), delivery.sequence());
            registry.holdUntilStored(unstored.get(), republished);
            Delivery.settleWhenPublished(() -> delivery, unstored, republished);
            return true;
        }
        Optional<FinishedStep> finished = registry.finished(assignmentId);
        if (finished.isPresent() && Delivery.sameMessage(finished.get().sequence(), delivery.sequence())) {
            delivery.settle(Optional.empty());
            return true;
        }
        return false;
    }

    /** What this worker knows of an assignment: its place in the queue, its attempt, its result. */
    public AssignmentStatus status(String assignmentId) {
        Optional<Step> inFlight = registry.inFlight(assignmentId);
        if (inFlight.isPresent()) {
            Step step = inFlight.get();
            ExecAssignment a = step.assignment();
            Step.State state = step.state();
            Integer position = state == Step.State.QUEUED && !waitsForPeople(a) ? pools.get(a.pool()).positionOf(step) : null;
            String name = switch (state) {
                case QUEUED -> "queued";
                case RUNNING -> "running";
                case BACKING_OFF -> "backing_off";
                case WAITING -> "waiting_for_approval";
                case FINISHED -> "finishing";
            };
            return new AssignmentStatus(a.assignmentId(), name, a.tenantId(), a.job().blockType(), a.pool().wireName(),
                    position, step.attempt() == 0 ? null : step.attempt(),
                    state == Step.State.BACKING_OFF ? step.backoffUntilMs() : null, step.lastError().orElse(null),
                    step.acceptedAtMs(), null, null, null, null);
        }
        Optional<FinishedStep> finished = registry.finished(assignmentId);
        if (finished.isPresent()) {
            return AssignmentStatus.finished(assignmentId, finished.get());
        }
        return registry.rejection(assignmentId)
                .map(r -> new AssignmentStatus(r.assignmentId(), "rejected", r.tenantId(), null, null, null, null, null, null,
                        null, r.reason().wireName(), r.message(), r.retryAfterMs(), null))
                .orElseGet(() -> AssignmentStatus.unknown(assignmentId));
    }

    /** A W3C-compatible trace id (32 hex digits) for assignments that arrive without one. */
    static String newTraceId() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return HEX.formatHex(id);  // one string, not three
    }
}
