package io.beamline.worker.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Rejection;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Builds dead letters. The original payload travels with the letter so nothing is lost, but a
 * dead letter must itself fit in one message: payloads above {@code maxEmbeddedBytes} are cut
 * and marked truncated (with their full size) rather than failing to publish. Thread-safe.
 */
public final class DeadLetters {
    private final String workerId;
    private final Clock clock;
    private final int maxEmbeddedBytes;

    public DeadLetters(String workerId, Clock clock, int maxEmbeddedBytes) {
        this.workerId = workerId;
        this.clock = clock;
        this.maxEmbeddedBytes = maxEmbeddedBytes;
    }

    /**
     * Input that could not be read as an assignment (or a cancel) at all; the ids it has, when
     * it is a JSON object, still name it in the letter.
     */
    public DeadLetter unreadable(byte[] payload, ExecError error, Optional<JsonNode> parsed) {
        return letter(text(parsed, "assignment_id"), text(parsed, "tenant_id"), text(parsed, "trace_id"),
                "unreadable", error, 0, payload, parsed);
    }

    private static String text(Optional<JsonNode> document, String field) {
        JsonNode value = document.map(node -> node.get(field)).orElse(null);
        return value != null && value.isTextual() ? value.asText() : null;
    }

    /** An assignment rejected because of its content. */
    public DeadLetter invalid(Rejection rejection, byte[] payload, JsonNode parsed) {
        ExecError error = ExecError.of(rejection.reason().errorCode(), rejection.message(),
                Map.of("reason", rejection.reason().wireName()));
        return letter(rejection.assignmentId(), rejection.tenantId(), rejection.traceId(),
                rejection.reason().wireName(), error, 0, payload, Optional.of(parsed));
    }

    /**
     * A step that failed for good with a non-retriable error. {@code payload} is the message as it
     * arrived (unknown fields and all); a step resumed after a restart has none (empty), and its
     * letter carries the assignment as the worker read it.
     */
    public DeadLetter failed(ExecAssignment assignment, ExecResult result, int attempts, byte[] payload) {
        Optional<JsonNode> document = payload.length == 0
                ? Optional.of(io.beamline.worker.contract.Json.mapper().valueToTree(assignment))
                : parsed(payload);
        return letter(assignment.assignmentId(), assignment.tenantId(), assignment.traceId(),
                "non_retriable_failure", result.error(), attempts, payload, document);
    }

    /** The payload's document, for embedding as JSON; it was read once already, so it parses. */
    private static Optional<JsonNode> parsed(byte[] payload) {
        try {
            return Optional.of(io.beamline.worker.contract.Json.readTree(payload));
        } catch (java.io.IOException e) {
            return Optional.empty();
        }
    }

    private DeadLetter letter(String assignmentId, String tenantId, String traceId, String reason,
                              ExecError error, int attempts, byte[] payload, Optional<JsonNode> parsed) {
        long now = clock.millis();
        if (payload.length <= maxEmbeddedBytes && parsed.isPresent()) {
            return new DeadLetter(assignmentId, tenantId, traceId, reason, error, attempts, workerId, now,
                    parsed.get(), null, null, null);
        }
        boolean truncated = payload.length > maxEmbeddedBytes;
        byte[] kept = truncated ? Arrays.copyOf(payload, maxEmbeddedBytes) : payload;
        Optional<String> text = utf8(kept, truncated);
        Integer size = truncated ? payload.length : null;
        Boolean cut = truncated ? Boolean.TRUE : null;
        return text.isPresent()
                ? new DeadLetter(assignmentId, tenantId, traceId, reason, error, attempts, workerId, now,
                        text.get(), null, size, cut)
                : new DeadLetter(assignmentId, tenantId, traceId, reason, error, attempts, workerId, now,
                        null, Base64.getEncoder().encodeToString(truncated ? Arrays.copyOf(kept, kept.length * 3 / 4) : kept),
                        size, cut);
    }

    /** Strict UTF-8 decoding; a cut payload may end inside a character, which is tolerated. */
    private static Optional<String> utf8(byte[] bytes, boolean mayEndMidCharacter) {
        for (int trim = 0; trim <= (mayEndMidCharacter ? 3 : 0) && trim <= bytes.length; trim++) {
            Optional<String> text = io.beamline.worker.contract.Utf8.strict(bytes, bytes.length - trim);
            if (text.isPresent()) {
                return text;  // else one byte shorter: the cut may have split a multi-byte character
            }
        }
        return Optional.empty();
    }
}
