package io.beamline.worker.transport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * A completed-step record in the JetStream key-value bucket (SPEC §7): that an assignment
 * finished, how, and for which stream message, so that no worker runs it again.
 *
 * <p>{@code {"status":"success","completedAt":1700000000000,"sequence":42,"result":{…}}}. The
 * record is written before the result is published, with the result's bytes in it: a worker
 * killed between the two leaves a record from which the next delivery publishes the result (the
 * outcome stream drops it as a duplicate if it was stored after all) instead of running the step
 * again. Once the result is stored, a record whose result is larger than 1 KiB is written again
 * without it, so the bucket holds large results only for steps in that window, not for its
 * whole time to live.
 *
 * @param status      the result's status, as on the wire
 * @param completedAt when the step completed (epoch ms), or null
 * @param sequence    the stream sequence of the message it answered, or -1 (older records)
 * @param result      the result's JSON bytes while it may not be stored yet, else null
 */
record CompletedRecord(String status, Long completedAt, long sequence, byte[] result) {

    /** The bucket's key for an assignment: its id in URL-safe base64 (any string is an id; keys are tokens). */
    static String key(String assignmentId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(assignmentId.getBytes(StandardCharsets.UTF_8));
    }

    /** The subject a record is published on to store it in {@code bucket}. */
    static String subject(String bucket, String assignmentId) {
        return "$KV." + bucket + "." + key(assignmentId);
    }

    static CompletedRecord of(ExecResult result, long sequence, byte[] resultJson) {
        return new CompletedRecord(result.status().wireName(), result.completedAt(), sequence, resultJson);
    }

    /** This record once its result is stored: the same facts without the result's bytes. */
    CompletedRecord withoutResult() {
        return new CompletedRecord(status, completedAt, sequence, null);
    }

    /**
     * The record's bytes, written by hand: one is written per step (twice while the result
     * travels), and a status wire name and numbers need no escaping; the result is valid JSON
     * already and is copied as it is.
     */
    byte[] toBytes() {
        byte[] head = ("{\"status\":\"" + status + '"'
                + (completedAt == null ? "" : ",\"completedAt\":" + completedAt)
                + (sequence < 0 ? "" : ",\"sequence\":" + sequence)
                + (result == null ? "}" : ",\"result\":")).getBytes(StandardCharsets.US_ASCII);
        if (result == null) {
            return head;
        }
        byte[] bytes = Arrays.copyOf(head, head.length + result.length + 1);
        System.arraycopy(result, 0, bytes, head.length, result.length);
        bytes[bytes.length - 1] = '}';
        return bytes;
    }

    /**
     * Reads a record; the result's bytes are cut out of the value as they are, not parsed and
     * written again, so a result published from a record is the one the step produced.
     */
    static CompletedRecord read(byte[] value) throws IOException {
        String status = null;
        Long completedAt = null;
        long sequence = -1;
        byte[] result = null;
        try (JsonParser parser = Json.mapper().getFactory().createParser(value)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a completed-step record is a JSON object");
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken token = parser.nextToken();
                switch (field) {
                    case "status" -> status = parser.getValueAsString();
                    case "completedAt" -> completedAt = token.isNumeric() ? parser.getLongValue() : null;
                    case "sequence" -> sequence = token.isNumeric() ? parser.getLongValue() : -1;
                    case "result" -> {
                        if (token == JsonToken.START_OBJECT) {
                            int start = (int) parser.currentTokenLocation().getByteOffset();
                            parser.skipChildren();
                            int end = (int) parser.currentLocation().getByteOffset();
                            result = Arrays.copyOfRange(value, start, end);
                        }
                    }
                    default -> parser.skipChildren();
                }
            }
        }
        return new CompletedRecord(status, completedAt, sequence, result);
    }
}
