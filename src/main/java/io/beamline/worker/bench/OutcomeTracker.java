package io.beamline.worker.bench;

import io.beamline.worker.contract.Subjects;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;
import org.HdrHistogram.Histogram;

/**
 * Matches the worker's acks, results and dead letters to the assignments of one phase by the
 * sequence number in their id, and keeps what the report needs: per-assignment counts (to find
 * missing and duplicate outcomes), latency histograms from the send time, and counts by
 * status and reason. An assignment is settled by a rejection or by its first result; each
 * settlement releases one permit of the in-flight window.
 *
 * <p>Thread-safety: {@link #sent} is called by the one publishing thread, {@link #onMessage}
 * by the one dispatcher thread; both, and the read-outs, are safe to call concurrently (send
 * times are in an atomic array, everything else is guarded by this object's lock, which the
 * dispatcher alone takes on the hot path).
 */
final class OutcomeTracker {
    private static final byte ACCEPTED = 1;
    private static final byte REJECTED = 2;

    private final byte[] idPrefix;
    private final Semaphore window;
    private final PhaseEvents events;
    private final AtomicLongArray sentNanos;
    private final byte[] acks;
    private final byte[] ackStatus;
    private final byte[] results;
    private final Histogram ackLatencyMicros = new Histogram(3);
    private final Histogram resultLatencyMicros = new Histogram(3);
    private final Map<String, Long> ackCounts = new TreeMap<>();
    private final Map<String, Long> resultCounts = new TreeMap<>();
    private final Map<String, Long> deadLetterCounts = new TreeMap<>();
    private long settled;
    private long resultsReceived;
    private long resultBeforeAck;
    private long foreign;
    private long lastResultNanos;

    /** Tracks up to {@code capacity} assignments whose ids start with {@code idPrefix}. */
    OutcomeTracker(byte[] idPrefix, int capacity, Semaphore window) {
        this(idPrefix, capacity, window, PhaseEvents.NONE);
    }

    /** As above, also telling {@code events} about each distinct outcome (on the dispatcher thread). */
    OutcomeTracker(byte[] idPrefix, int capacity, Semaphore window, PhaseEvents events) {
        this.idPrefix = idPrefix.clone();
        this.window = window;
        this.events = events;
        this.sentNanos = new AtomicLongArray(capacity);
        this.acks = new byte[capacity];
        this.ackStatus = new byte[capacity];
        this.results = new byte[capacity];
    }

    /** Records that assignment {@code seq} was sent (or was due to be sent) at {@code nanos}. */
    void sent(long seq, long nanos) {
        sentNanos.set((int) seq, nanos);
    }

    /** Takes one message from the ack, result or dead-letter subject, received at {@code nowNanos}. */
    synchronized void onMessage(String subject, byte[] data, long nowNanos) {
        long seq = JsonScan.sequence(data, idPrefix);
        if (seq < 0 || seq >= acks.length || sentNanos.get((int) seq) == 0) {
            foreign++;  // another run's or another client's traffic on the same subjects
            return;
        }
        int i = (int) seq;
        switch (subject) {
            case Subjects.ACK -> onAck(i, data, nowNanos);
            case Subjects.RESULT -> onResult(i, data, nowNanos);
            case Subjects.DEAD_LETTER -> onDeadLetter(data, nowNanos);
            default -> foreign++;
        }
    }

    private void onAck(int i, byte[] data, long nowNanos) {
        if (acks[i]++ > 0) {
            acks[i] = 2;  // saturate: "more than one" is all the report needs
            return;
        }
        ackLatencyMicros.recordValue(micros(nowNanos - sentNanos.get(i)));
        String status = JsonScan.string(data, JsonScan.STATUS);
        if ("rejected".equals(status)) {
            ackStatus[i] = REJECTED;
            String reason = orUnknown(JsonScan.string(data, JsonScan.REASON));
            ackCounts.merge("rejected:" + reason, 1L, Long::sum);
            events.rejected(nowNanos, JsonScan.number(data, JsonScan.ERROR_CODE) + ":" + reason);
            if (results[i] == 0) {
                settle();
            }
        } else {
            ackStatus[i] = ACCEPTED;
            ackCounts.merge(orUnknown(status), 1L, Long::sum);
            events.accepted(nowNanos);
        }
    }

    private void onResult(int i, byte[] data, long nowNanos) {
        resultsReceived++;
        if (results[i]++ > 0) {
            results[i] = 2;
            events.duplicateResult(nowNanos);
            return;
        }
        if (acks[i] == 0) {
            resultBeforeAck++;
        }
        long latency = micros(nowNanos - sentNanos.get(i));
        resultLatencyMicros.recordValue(latency);
        lastResultNanos = nowNanos;
        String status = JsonScan.string(data, JsonScan.STATUS);
        String key = "error".equals(status) ? "error:" + JsonScan.number(data, JsonScan.CODE) : orUnknown(status);
        resultCounts.merge(key, 1L, Long::sum);
        events.result(nowNanos, key, latency);
        if (ackStatus[i] != REJECTED) {
            settle();
        }
    }

    private void onDeadLetter(byte[] data, long nowNanos) {
        String reason = orUnknown(JsonScan.string(data, JsonScan.REASON));
        deadLetterCounts.merge(reason, 1L, Long::sum);
        events.deadLetter(nowNanos, reason);
    }

    private void settle() {
        settled++;
        window.release();
    }

    /** Assignments that have their final outcome (a rejection or a first result). */
    synchronized long settled() {
        return settled;
    }

    /** Everything known about the first {@code sent} assignments, as of now. */
    synchronized PhaseOutcome outcome(long sent, long firstSentNanos) {
        long missingAck = 0, duplicateAck = 0, missingResult = 0, duplicateResult = 0, resultAfterRejection = 0;
        for (int i = 0; i < sent; i++) {
            missingAck += acks[i] == 0 ? 1 : 0;
            duplicateAck += acks[i] > 1 ? 1 : 0;
            missingResult += ackStatus[i] == ACCEPTED && results[i] == 0 ? 1 : 0;
            duplicateResult += results[i] > 1 ? 1 : 0;
            resultAfterRejection += ackStatus[i] == REJECTED && results[i] > 0 ? 1 : 0;
        }
        Violations violations = new Violations(missingAck, duplicateAck, missingResult, duplicateResult,
                resultAfterRejection, resultBeforeAck);
        double seconds = (lastResultNanos - firstSentNanos) / 1e9;
        long distinctResults = resultLatencyMicros.getTotalCount();
        return new PhaseOutcome(sent, settled, resultsReceived, distinctResults > 0 && seconds > 0 ? distinctResults / seconds : 0,
                seconds > 0 ? seconds : 0, Latency.of(ackLatencyMicros), Latency.of(resultLatencyMicros),
                ackCounts, resultCounts, deadLetterCounts, foreign, violations);
    }

    private static long micros(long nanos) {
        return Math.max(0, nanos / 1000);
    }

    private static String orUnknown(String value) {
        return value.isEmpty() ? "unknown" : value;
    }
}
