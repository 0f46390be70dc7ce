package io.beamline.worker.transport;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.OutcomeSink;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.impl.Headers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes outcomes through JetStream (SPEC §7): each future completes when the server has
 * stored the message (its PubAck), which is when the assignment may be acknowledged. Every
 * message carries a {@code Nats-Msg-Id} derived from the assignment, so the outcome stream
 * drops the repeat when a redelivered assignment is answered again. Core subscribers (the
 * Router) receive the messages as usual. A result goes with its {@link CompletedRecord}: the
 * record, holding the result, is stored first, so that no moment of a worker's death leaves a
 * step that ran with neither its result stored nor a record to publish it from. Thread-safe.
 */
public final class JetStreamOutcomeSink implements OutcomeSink {
    private static final Logger log = LoggerFactory.getLogger("transport");
    /** How long a store is tried again before the message is handed back: a server restart or leader election fits. */
    static final Duration STORE_PATIENCE = Duration.ofSeconds(60);
    /** Results up to this size stay in their completed-step record; larger ones leave it once stored. */
    static final int KEPT_RESULT_BYTES = 1024;

    private final JetStream jetStream;
    private final long maxPayload;
    private final String completedBucket;

    public JetStreamOutcomeSink(Connection connection, String completedBucket) throws IOException {
        this.jetStream = connection.jetStream();
        this.maxPayload = connection.getMaxPayload();
        this.completedBucket = completedBucket;
    }

    @Override
    public CompletableFuture<Void> ack(ExecAssignmentAck ack) {
        byte[] bytes = Json.write(ack);
        // a rejection of a message without a usable assignment_id is told apart by its content
        String id = "ack:" + (ack.assignmentId() != null ? ack.assignmentId() : "sha256:" + HexFormat.of().formatHex(sha256(bytes)))
                + ":" + (ack.reason() == null ? "accepted" : ack.reason().wireName());
        return publish(Subjects.ACK, id, bytes);
    }

    @Override
    public CompletableFuture<Void> result(ExecResult result) {
        return result(result, -1);
    }

    /**
     * Stores the step's completed-step record with the result in it, then publishes the result,
     * then (stored) writes the record again without a large result ({@link #slim}). A record
     * that cannot be written is logged and the result still goes out (the step may then run
     * again after a crash, as without records). A result too large to share a message with its record goes first and
     * its record after it: only for those is there still a moment (between the two) in which a
     * death lets the next worker run the step again.
     */
    @Override
    public CompletableFuture<Void> result(ExecResult result, long sequence) {
        String id = result.assignmentId();
        byte[] bytes = NatsOutcomeSink.fitting(Json.write(result), room(resultMessageId(id)));
        CompletedRecord record = CompletedRecord.of(result, sequence, bytes);
        byte[] withResult = record.toBytes();
        if (maxPayload > 0 && withResult.length > maxPayload) {
            return publishResult(id, bytes).thenCompose(stored -> storeRecord(id, record.withoutResult()));
        }
        return storeRecord(id, withResult).thenCompose(recorded -> publishResult(id, bytes))
                .thenRun(() -> slim(id, record));
    }

    /**
     * Writes the record again without its result once the result is stored, when the result is
     * large enough for that to matter: a small one stays (at most {@link #KEPT_RESULT_BYTES} a
     * record, for the record's time to live), which spares most steps a third write (JetStream
     * throughput fell ~13 % with one for every step).
     */
    private void slim(String assignmentId, CompletedRecord record) {
        if (record.result() != null && record.result().length > KEPT_RESULT_BYTES) {
            storeRecord(assignmentId, record.withoutResult());
        }
    }

    /**
     * Publishes the result a completed-step record holds (a worker died before it knew the result
     * stored), then lets go of a large one ({@link #slim}). The outcome stream drops the result as
     * a duplicate when it was stored after all.
     */
    CompletableFuture<Void> publishRecorded(String assignmentId, CompletedRecord record) {
        return publishResult(assignmentId, record.result()).thenRun(() -> slim(assignmentId, record));
    }

    private CompletableFuture<Void> publishResult(String assignmentId, byte[] bytes) {
        return publish(Subjects.RESULT, resultMessageId(assignmentId), bytes);
    }

    private static String resultMessageId(String assignmentId) {
        return "result:" + assignmentId;
    }

    /**
     * The bytes a message with this id may carry: the server's limit counts the headers too. A
     * result within the header's ~50 bytes of the limit passed the size check, was refused by the
     * client at every attempt, and its step ran again on each redelivery without ever answering.
     */
    private long room(String messageId) {
        return maxPayload <= 0 ? maxPayload : maxPayload - headers(messageId).serializedLength();
    }

    private static Headers headers(String messageId) {
        return new Headers().put("Nats-Msg-Id", headerValue(messageId));
    }

    private CompletableFuture<Void> storeRecord(String assignmentId, CompletedRecord record) {
        return storeRecord(assignmentId, record.toBytes());
    }

    /** Completes when the record is stored or could not be (logged): a record is never why a result is not published. */
    private CompletableFuture<Void> storeRecord(String assignmentId, byte[] record) {
        return stored(CompletedRecord.subject(completedBucket, assignmentId), null, record).handle((stored, failure) -> {
            if (failure != null) {
                log.warn("completed-step record of {} not confirmed stored (it may still arrive when the server is back): {}",
                        assignmentId, failure.toString());
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
        String id = letter.assignmentId() != null
                ? "dlq:" + letter.assignmentId() + ":" + letter.reason()
                : "dlq:" + HexFormat.of().formatHex(sha256(Json.write(
                        letter.payload() != null ? letter.payload() : String.valueOf(letter.payloadBase64()))));
        return publish(Subjects.DEAD_LETTER, id, NatsOutcomeSink.fitted(letter, room(id)));
    }

    private CompletableFuture<Void> publish(String subject, String messageId, byte[] body) {
        return stored(subject, headers(messageId), body);
    }

    /**
     * Publishes until the server confirms it stored the message, trying again with backoff for
     * up to {@link #STORE_PATIENCE} (the server restarting, a stream electing a leader), and
     * only then fails. Meanwhile the assignment's message stays this worker's (in-progress
     * acks go on). Once this failed at the first timeout, and the message was handed back: a
     * step that had finished during a NATS restart then ran again on another worker. A repeat
     * of a publish that was stored after all is dropped by the stream's {@code Nats-Msg-Id}
     * window (a record is the same value written again).
     */
    private CompletableFuture<Void> stored(String subject, Headers headers, byte[] body) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        attempt(subject, headers, body, done, System.nanoTime() + STORE_PATIENCE.toNanos(), 100);
        return done;
    }

    private void attempt(String subject, Headers headers, byte[] body, CompletableFuture<Void> done, long deadlineNanos,
                         long delayMs) {
        CompletableFuture<?> sent;
        try {
            sent = Uninterrupted.get(() -> jetStream.publishAsync(subject, headers, body));
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((ack, failure) -> {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (failure == null) {
                done.complete(null);
            } else if (cause instanceof IllegalArgumentException || System.nanoTime() + delayMs * 1_000_000 >= deadlineNanos) {
                // refused by the client itself (too large, a bad subject): no later attempt can do better
                done.completeExceptionally(failure);
            } else {
                log.debug("storing on {} failed ({}); again in {} ms", subject, failure.toString(), delayMs);
                CompletableFuture.delayedExecutor(delayMs, TimeUnit.MILLISECONDS).execute(() ->
                        attempt(subject, headers, body, done, deadlineNanos, Math.min(2000, delayMs * 2)));
            }
        });
    }

    /**
     * The id as a header may carry it: as it is when it is printable ASCII, else {@code b64:}
     * and its UTF-16 code units in URL-safe base64 (two different lone surrogates stay two
     * ids). An assignment id is any string; one with an accented letter or a line break was
     * refused by the client as a header value, and its message was never answered.
     */
    static String headerValue(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "b64:" + Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_16BE));
            }
        }
        return id;
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
