package io.beamline.worker.contract;

import java.io.IOException;
import java.util.Map;

/**
 * The fields of the ack, the result, {@link FsOutput} and {@link HttpOutput}, in wire order,
 * written once for both writers: {@link WireBytes} (straight to bytes, the hot path) and
 * {@link WireWriters} (Jackson, for everything else). They write exactly what Jackson's record
 * serialization writes (same names, same order, nulls omitted); {@code GoldenContractTest} holds
 * both to it.
 */
final class WireLayout {
    private static final WireSink.Name ASSIGNMENT_ID = WireSink.Name.of("assignment_id");
    private static final WireSink.Name STATUS = WireSink.Name.of("status");
    private static final WireSink.Name MESSAGE = WireSink.Name.of("message");
    private static final WireSink.Name REQUEST_ID = WireSink.Name.of("request_id");
    private static final WireSink.Name TRACE_ID = WireSink.Name.of("trace_id");
    private static final WireSink.Name TENANT_ID = WireSink.Name.of("tenant_id");
    private static final WireSink.Name ACKNOWLEDGED_AT = WireSink.Name.of("acknowledged_at");
    private static final WireSink.Name REASON = WireSink.Name.of("reason");
    private static final WireSink.Name ERROR_CODE = WireSink.Name.of("error_code");
    private static final WireSink.Name RETRY_AFTER_MS = WireSink.Name.of("retry_after_ms");
    private static final WireSink.Name RESULT = WireSink.Name.of("result");
    private static final WireSink.Name ERROR = WireSink.Name.of("error");
    private static final WireSink.Name LATENCY_MS = WireSink.Name.of("latency_ms");
    private static final WireSink.Name RETRIES_USED = WireSink.Name.of("retries_used");
    private static final WireSink.Name METADATA = WireSink.Name.of("metadata");
    private static final WireSink.Name BLOCK_TYPE = WireSink.Name.of("block_type");
    private static final WireSink.Name PROVIDER_ID = WireSink.Name.of("provider_id");
    private static final WireSink.Name RUN_ID = WireSink.Name.of("run_id");
    private static final WireSink.Name FLOW_ID = WireSink.Name.of("flow_id");
    private static final WireSink.Name STEP_ID = WireSink.Name.of("step_id");
    private static final WireSink.Name COMPLETED_AT = WireSink.Name.of("completed_at");
    private static final WireSink.Name PATH = WireSink.Name.of("path");
    private static final WireSink.Name SIZE_BYTES = WireSink.Name.of("size_bytes");
    private static final WireSink.Name CONTENT_TYPE = WireSink.Name.of("content_type");
    private static final WireSink.Name CONTENT = WireSink.Name.of("content");
    private static final WireSink.Name CONTENT_ENCODING = WireSink.Name.of("content_encoding");
    private static final WireSink.Name SHA256 = WireSink.Name.of("sha256");
    private static final WireSink.Name DELETED = WireSink.Name.of("deleted");
    private static final WireSink.Name STATUS_CODE = WireSink.Name.of("status_code");
    private static final WireSink.Name BODY = WireSink.Name.of("body");
    private static final WireSink.Name HEADERS = WireSink.Name.of("headers");
    private static final WireSink.Name BODY_PATH = WireSink.Name.of("body_path");
    private static final WireSink.Name BODY_SIZE_BYTES = WireSink.Name.of("body_size_bytes");
    private static final WireSink.Name BODY_SHA256 = WireSink.Name.of("body_sha256");
    private static final WireSink.Name BODY_ENCODING = WireSink.Name.of("body_encoding");

    private WireLayout() {
    }

    static void ack(ExecAssignmentAck ack, WireSink out) throws IOException {
        out.startObject();
        text(out, ASSIGNMENT_ID, ack.assignmentId());
        if (ack.status() != null) {
            text(out, STATUS, ack.status() == ExecAssignmentAck.Status.ACCEPTED ? "accepted" : "rejected");
        }
        text(out, MESSAGE, ack.message());
        text(out, REQUEST_ID, ack.requestId());
        text(out, TRACE_ID, ack.traceId());
        text(out, TENANT_ID, ack.tenantId());
        number(out, ACKNOWLEDGED_AT, ack.acknowledgedAt());
        if (ack.reason() != null) {
            text(out, REASON, ack.reason().wireName());
        }
        if (ack.errorCode() != null) {
            number(out, ERROR_CODE, (long) ack.errorCode().code());
        }
        number(out, RETRY_AFTER_MS, ack.retryAfterMs());
        out.endObject();
    }

    static void result(ExecResult result, WireSink out) throws IOException {
        out.startObject();
        text(out, ASSIGNMENT_ID, result.assignmentId());
        if (result.status() != null) {
            text(out, STATUS, result.status().wireName());
        }
        if (result.result() instanceof FsOutput output) {
            out.field(RESULT);
            fsOutput(output, out);
        } else if (result.result() instanceof HttpOutput output && hasPlainHeaders(output)) {
            out.field(RESULT);
            httpOutput(output, out);
        } else if (result.result() != null) {
            out.field(RESULT);
            out.value(result.result());
        }
        if (result.error() != null) {
            out.field(ERROR);
            out.value(result.error());
        }
        number(out, LATENCY_MS, result.latencyMs());
        if (result.retriesUsed() != null) {
            number(out, RETRIES_USED, (long) result.retriesUsed());
        }
        ResultMetadata metadata = result.metadata();
        if (metadata != null) {
            out.field(METADATA);
            out.startObject();
            text(out, BLOCK_TYPE, metadata.blockType());
            text(out, PROVIDER_ID, metadata.providerId());
            text(out, RUN_ID, metadata.runId());
            text(out, FLOW_ID, metadata.flowId());
            text(out, STEP_ID, metadata.stepId());
            out.endObject();
        }
        text(out, TRACE_ID, result.traceId());
        text(out, TENANT_ID, result.tenantId());
        number(out, COMPLETED_AT, result.completedAt());
        out.endObject();
    }

    /** The output of the fs.* blocks, the most frequent result body; by reflection it was 3 % of the profile. */
    static void fsOutput(FsOutput output, WireSink out) throws IOException {
        out.startObject();
        text(out, PATH, output.path());
        number(out, SIZE_BYTES, output.sizeBytes());
        text(out, CONTENT_TYPE, output.contentType());
        text(out, CONTENT, output.content());
        text(out, CONTENT_ENCODING, output.contentEncoding());
        text(out, SHA256, output.sha256());
        if (output.deleted() != null) {
            out.field(DELETED);
            out.bool(output.deleted());
        }
        out.endObject();
    }

    /**
     * The output of http.request, the load generator's default block: through Jackson's record
     * serializer (a generator per output) it was a third of writing the result.
     */
    static void httpOutput(HttpOutput output, WireSink out) throws IOException {
        out.startObject();
        if (output.statusCode() != null) {
            out.field(STATUS_CODE);
            out.number(output.statusCode());
        }
        text(out, BODY, output.body());
        if (output.headers() != null) {
            out.field(HEADERS);
            out.startObject();
            for (Map.Entry<String, String> header : output.headers().entrySet()) {
                out.key(header.getKey());
                out.string(header.getValue());
            }
            out.endObject();
        }
        number(out, LATENCY_MS, output.latencyMs());
        text(out, BODY_PATH, output.bodyPath());
        number(out, BODY_SIZE_BYTES, output.bodySizeBytes());
        text(out, BODY_SHA256, output.bodySha256());
        text(out, BODY_ENCODING, output.bodyEncoding());
        out.endObject();
    }

    /**
     * Whether the headers are only names and values: a null in a map is Jackson's to write (its
     * null-key serializer, its inclusion rules for map contents), so such an output goes to it whole.
     */
    private static boolean hasPlainHeaders(HttpOutput output) {
        if (output.headers() == null) {
            return true;
        }
        for (Map.Entry<String, String> header : output.headers().entrySet()) {
            if (header.getKey() == null || header.getValue() == null) {
                return false;
            }
        }
        return true;
    }

    private static void text(WireSink out, WireSink.Name name, String value) throws IOException {
        if (value != null) {
            out.field(name);
            out.string(value);
        }
    }

    private static void number(WireSink out, WireSink.Name name, Long value) throws IOException {
        if (value != null) {
            out.field(name);
            out.number(value);
        }
    }
}
