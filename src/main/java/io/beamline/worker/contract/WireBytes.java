package io.beamline.worker.contract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The ack and the result, the two messages of every step, written straight to UTF-8 bytes.
 * Through Jackson (a generator, a serializer provider and pooled buffers per message) writing them
 * was 23 % of the sandbox worker's CPU. The bytes are exactly Jackson's: same fields, order and
 * escapes as {@link WireWriters}, nulls omitted ({@code GoldenContractTest} compares both with
 * Jackson's record serialization). Strings are written here when they are ASCII, which ids,
 * tenants and block types are; a message with any other character returns null and goes through
 * Jackson, which encodes everything. Block outputs other than {@link FsOutput}, and errors, are
 * written by Jackson and embedded. One instance per message; not thread-safe.
 */
final class WireBytes {
    private static final byte[] ASSIGNMENT_ID = name("assignment_id");
    private static final byte[] STATUS = name("status");
    private static final byte[] MESSAGE = name("message");
    private static final byte[] REQUEST_ID = name("request_id");
    private static final byte[] TRACE_ID = name("trace_id");
    private static final byte[] TENANT_ID = name("tenant_id");
    private static final byte[] ACKNOWLEDGED_AT = name("acknowledged_at");
    private static final byte[] REASON = name("reason");
    private static final byte[] ERROR_CODE = name("error_code");
    private static final byte[] RETRY_AFTER_MS = name("retry_after_ms");
    private static final byte[] RESULT = name("result");
    private static final byte[] ERROR = name("error");
    private static final byte[] LATENCY_MS = name("latency_ms");
    private static final byte[] RETRIES_USED = name("retries_used");
    private static final byte[] METADATA = name("metadata");
    private static final byte[] BLOCK_TYPE = name("block_type");
    private static final byte[] PROVIDER_ID = name("provider_id");
    private static final byte[] RUN_ID = name("run_id");
    private static final byte[] FLOW_ID = name("flow_id");
    private static final byte[] STEP_ID = name("step_id");
    private static final byte[] COMPLETED_AT = name("completed_at");
    private static final byte[] PATH = name("path");
    private static final byte[] SIZE_BYTES = name("size_bytes");
    private static final byte[] CONTENT_TYPE = name("content_type");
    private static final byte[] CONTENT = name("content");
    private static final byte[] CONTENT_ENCODING = name("content_encoding");
    private static final byte[] SHA256 = name("sha256");
    private static final byte[] DELETED = name("deleted");
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);

    private byte[] buffer = new byte[512];
    private int length;
    /** Whether the object being written already has a field (the next one needs a comma). */
    private boolean hasField;
    /** False once a string needed more than this writer encodes: the caller falls back to Jackson. */
    private boolean encodable = true;

    private WireBytes() {
    }

    /** The ack's bytes, or null when Jackson must write it. */
    static byte[] ack(ExecAssignmentAck ack) {
        WireBytes w = new WireBytes();
        w.startObject();
        w.text(ASSIGNMENT_ID, ack.assignmentId());
        if (ack.status() != null) {
            w.text(STATUS, ack.status() == ExecAssignmentAck.Status.ACCEPTED ? "accepted" : "rejected");
        }
        w.text(MESSAGE, ack.message());
        w.text(REQUEST_ID, ack.requestId());
        w.text(TRACE_ID, ack.traceId());
        w.text(TENANT_ID, ack.tenantId());
        w.number(ACKNOWLEDGED_AT, ack.acknowledgedAt());
        if (ack.reason() != null) {
            w.text(REASON, ack.reason().wireName());
        }
        if (ack.errorCode() != null) {
            w.number(ERROR_CODE, (long) ack.errorCode().code());
        }
        w.number(RETRY_AFTER_MS, ack.retryAfterMs());
        w.endObject();
        return w.result();
    }

    /** The result's bytes, or null when Jackson must write it. */
    static byte[] result(ExecResult result) {
        WireBytes w = new WireBytes();
        w.startObject();
        w.text(ASSIGNMENT_ID, result.assignmentId());
        if (result.status() != null) {
            w.text(STATUS, result.status().wireName());
        }
        if (result.result() instanceof FsOutput output) {
            w.field(RESULT);
            w.fsOutput(output);
        } else if (result.result() != null) {
            w.field(RESULT);
            w.raw(Json.write(result.result()));
        }
        if (result.error() != null) {
            w.field(ERROR);
            w.raw(Json.write(result.error()));
        }
        w.number(LATENCY_MS, result.latencyMs());
        if (result.retriesUsed() != null) {
            w.number(RETRIES_USED, (long) result.retriesUsed());
        }
        ResultMetadata metadata = result.metadata();
        if (metadata != null) {
            w.field(METADATA);
            w.startObject();
            w.text(BLOCK_TYPE, metadata.blockType());
            w.text(PROVIDER_ID, metadata.providerId());
            w.text(RUN_ID, metadata.runId());
            w.text(FLOW_ID, metadata.flowId());
            w.text(STEP_ID, metadata.stepId());
            w.endObject();
        }
        w.text(TRACE_ID, result.traceId());
        w.text(TENANT_ID, result.tenantId());
        w.number(COMPLETED_AT, result.completedAt());
        w.endObject();
        return w.result();
    }

    private void fsOutput(FsOutput output) {
        startObject();
        text(PATH, output.path());
        number(SIZE_BYTES, output.sizeBytes());
        text(CONTENT_TYPE, output.contentType());
        text(CONTENT, output.content());
        text(CONTENT_ENCODING, output.contentEncoding());
        text(SHA256, output.sha256());
        if (output.deleted() != null) {
            field(DELETED);
            append(output.deleted() ? "true" : "false");
        }
        endObject();
    }

    private byte[] result() {
        return encodable ? Arrays.copyOf(buffer, length) : null;
    }

    private void startObject() {
        ensure(1);
        buffer[length++] = '{';
        hasField = false;
    }

    private void endObject() {
        ensure(1);
        buffer[length++] = '}';
        hasField = true;  // the object is a value of its parent's field
    }

    /** {@code ,"name":} (the comma when a field came before). */
    private void field(byte[] quotedName) {
        ensure(quotedName.length + 1);
        if (hasField) {
            buffer[length++] = ',';
        }
        System.arraycopy(quotedName, 0, buffer, length, quotedName.length);
        length += quotedName.length;
        hasField = true;
    }

    private void text(byte[] name, String value) {
        if (value != null) {
            field(name);
            string(value);
        }
    }

    private void number(byte[] name, Long value) {
        if (value != null) {
            field(name);
            append(Long.toString(value));
        }
    }

    /** A JSON string with Jackson's escapes: \" \\ \b \t \n \f \r, other controls as \\u00XX. */
    private void string(String value) {
        int n = value.length();
        ensure(n + 2);  // escapes make room for themselves
        byte[] out = buffer;  // locals, not fields, in the loop: this runs for every character sent
        int at = length;
        out[at++] = '"';
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                out[at++] = (byte) c;
                continue;
            }
            if (c >= 0x80) {
                encodable = false;  // Jackson writes it (UTF-8, surrogate pairs)
                return;
            }
            length = at;
            ensure(6 + (n - i));
            out = buffer;
            out[at++] = '\\';
            switch (c) {
                case '"', '\\' -> out[at++] = (byte) c;
                case '\b' -> out[at++] = 'b';
                case '\t' -> out[at++] = 't';
                case '\n' -> out[at++] = 'n';
                case '\f' -> out[at++] = 'f';
                case '\r' -> out[at++] = 'r';
                default -> {
                    out[at++] = 'u';
                    out[at++] = '0';
                    out[at++] = '0';
                    out[at++] = HEX[c >> 4];
                    out[at++] = HEX[c & 0xF];
                }
            }
        }
        out[at++] = '"';
        length = at;
    }

    /** ASCII text without escapes (numbers, literals). */
    private void append(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buffer[length++] = (byte) ascii.charAt(i);
        }
    }

    private void raw(byte[] json) {
        ensure(json.length);
        System.arraycopy(json, 0, buffer, length, json.length);
        length += json.length;
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

    private static byte[] name(String name) {
        return ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII);
    }
}
