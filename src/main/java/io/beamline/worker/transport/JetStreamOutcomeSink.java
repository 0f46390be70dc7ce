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
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * Publishes outcomes through JetStream (SPEC §7): each future completes when the server has
 * stored the message (its PubAck), which is when the assignment may be acknowledged. Every
 * message carries a {@code Nats-Msg-Id} derived from the assignment, so the outcome stream
 * drops the repeat when a redelivered assignment is answered again. Core subscribers (the
 * Router) receive the messages as usual. Thread-safe.
 */
public final class JetStreamOutcomeSink implements OutcomeSink {
    private final JetStream jetStream;
    private final long maxPayload;

    public JetStreamOutcomeSink(Connection connection) throws IOException {
        this.jetStream = connection.jetStream();
        this.maxPayload = connection.getMaxPayload();
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
        return publish(Subjects.RESULT, "result:" + result.assignmentId(), NatsOutcomeSink.fitting(Json.write(result), maxPayload));
    }

    @Override
    public CompletableFuture<Void> deadLetter(DeadLetter letter) {
        byte[] bytes = NatsOutcomeSink.fitted(letter, maxPayload);
        String id = letter.assignmentId() != null
                ? "dlq:" + letter.assignmentId() + ":" + letter.reason()
                : "dlq:" + HexFormat.of().formatHex(sha256(Json.write(
                        letter.payload() != null ? letter.payload() : String.valueOf(letter.payloadBase64()))));
        return publish(Subjects.DEAD_LETTER, id, bytes);
    }

    private CompletableFuture<Void> publish(String subject, String messageId, byte[] body) {
        try {
            Headers headers = new Headers().put("Nats-Msg-Id", headerValue(messageId));
            return Uninterrupted.get(() -> jetStream.publishAsync(subject, headers, body)).thenApply(ack -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
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
