package io.beamline.worker.contract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Hand-written serializers for the two messages sent for every assignment (ack and result)
 * and for the most frequent result body ({@link FsOutput}),
 * because Jackson's reflective record serialization was a fifth of the intake thread's time in
 * the profile. They write exactly what the record serializers write (same names, same order,
 * nulls omitted); {@code GoldenContractTest} holds them to the golden examples.
 */
final class WireWriters {
    // Field names with their quoted UTF-8 form computed once: written as Strings they were
    // encoded character by character for every message (5 % of the sandbox profile).
    private static final SerializedString ACKNOWLEDGED_AT = new SerializedString("acknowledged_at");
    private static final SerializedString ASSIGNMENT_ID = new SerializedString("assignment_id");
    private static final SerializedString BLOCK_TYPE = new SerializedString("block_type");
    private static final SerializedString COMPLETED_AT = new SerializedString("completed_at");
    private static final SerializedString ERROR = new SerializedString("error");
    private static final SerializedString ERROR_CODE = new SerializedString("error_code");
    private static final SerializedString FLOW_ID = new SerializedString("flow_id");
    private static final SerializedString LATENCY_MS = new SerializedString("latency_ms");
    private static final SerializedString MESSAGE = new SerializedString("message");
    private static final SerializedString METADATA = new SerializedString("metadata");
    private static final SerializedString PROVIDER_ID = new SerializedString("provider_id");
    private static final SerializedString REASON = new SerializedString("reason");
    private static final SerializedString REQUEST_ID = new SerializedString("request_id");
    private static final SerializedString RESULT = new SerializedString("result");
    private static final SerializedString RETRIES_USED = new SerializedString("retries_used");
    private static final SerializedString RETRY_AFTER_MS = new SerializedString("retry_after_ms");
    private static final SerializedString RUN_ID = new SerializedString("run_id");
    private static final SerializedString STATUS = new SerializedString("status");
    private static final SerializedString STEP_ID = new SerializedString("step_id");
    private static final SerializedString TENANT_ID = new SerializedString("tenant_id");
    private static final SerializedString TRACE_ID = new SerializedString("trace_id");
    private static final SerializedString PATH = new SerializedString("path");
    private static final SerializedString SIZE_BYTES = new SerializedString("size_bytes");
    private static final SerializedString CONTENT_TYPE = new SerializedString("content_type");
    private static final SerializedString CONTENT = new SerializedString("content");
    private static final SerializedString CONTENT_ENCODING = new SerializedString("content_encoding");
    private static final SerializedString SHA256 = new SerializedString("sha256");
    private static final SerializedString DELETED = new SerializedString("deleted");

    private WireWriters() {
    }

    static SimpleModule module() {
        return new SimpleModule("beamline-wire")
                .addSerializer(ExecAssignmentAck.class, new AckWriter())
                .addSerializer(ExecResult.class, new ResultWriter())
                .addSerializer(FsOutput.class, new FsOutputWriter());
    }

    private static final class AckWriter extends StdSerializer<ExecAssignmentAck> {
        AckWriter() {
            super(ExecAssignmentAck.class);
        }

        @Override
        public void serialize(ExecAssignmentAck ack, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            text(g, ASSIGNMENT_ID, ack.assignmentId());
            if (ack.status() != null) {
                field(g, STATUS, ack.status() == ExecAssignmentAck.Status.ACCEPTED ? "accepted" : "rejected");
            }
            text(g, MESSAGE, ack.message());
            text(g, REQUEST_ID, ack.requestId());
            text(g, TRACE_ID, ack.traceId());
            text(g, TENANT_ID, ack.tenantId());
            number(g, ACKNOWLEDGED_AT, ack.acknowledgedAt());
            if (ack.reason() != null) {
                field(g, REASON, ack.reason().wireName());
            }
            if (ack.errorCode() != null) {
                field(g, ERROR_CODE, ack.errorCode().code());
            }
            number(g, RETRY_AFTER_MS, ack.retryAfterMs());
            g.writeEndObject();
        }
    }

    private static final class ResultWriter extends StdSerializer<ExecResult> {
        ResultWriter() {
            super(ExecResult.class);
        }

        @Override
        public void serialize(ExecResult result, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            text(g, ASSIGNMENT_ID, result.assignmentId());
            if (result.status() != null) {
                field(g, STATUS, result.status().wireName());
            }
            if (result.result() != null) {
                g.writeFieldName(RESULT);
                provider.defaultSerializeValue(result.result(), g);
            }
            if (result.error() != null) {
                g.writeFieldName(ERROR);
                provider.defaultSerializeValue(result.error(), g);
            }
            number(g, LATENCY_MS, result.latencyMs());
            if (result.retriesUsed() != null) {
                field(g, RETRIES_USED, result.retriesUsed());
            }
            ResultMetadata metadata = result.metadata();
            if (metadata != null) {
                g.writeFieldName(METADATA);
                g.writeStartObject();
                text(g, BLOCK_TYPE, metadata.blockType());
                text(g, PROVIDER_ID, metadata.providerId());
                text(g, RUN_ID, metadata.runId());
                text(g, FLOW_ID, metadata.flowId());
                text(g, STEP_ID, metadata.stepId());
                g.writeEndObject();
            }
            text(g, TRACE_ID, result.traceId());
            text(g, TENANT_ID, result.tenantId());
            number(g, COMPLETED_AT, result.completedAt());
            g.writeEndObject();
        }
    }

    /** The output of the fs.* blocks, the most frequent result body; by reflection it was 3 % of the profile. */
    private static final class FsOutputWriter extends StdSerializer<FsOutput> {
        FsOutputWriter() {
            super(FsOutput.class);
        }

        @Override
        public void serialize(FsOutput output, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            text(g, PATH, output.path());
            number(g, SIZE_BYTES, output.sizeBytes());
            text(g, CONTENT_TYPE, output.contentType());
            text(g, CONTENT, output.content());
            text(g, CONTENT_ENCODING, output.contentEncoding());
            text(g, SHA256, output.sha256());
            if (output.deleted() != null) {
                g.writeFieldName(DELETED);
                g.writeBoolean(output.deleted());
            }
            g.writeEndObject();
        }
    }

    private static void text(JsonGenerator g, SerializedString name, String value) throws IOException {
        if (value != null) {
            field(g, name, value);
        }
    }

    private static void number(JsonGenerator g, SerializedString name, Long value) throws IOException {
        if (value != null) {
            field(g, name, (long) value);
        }
    }

    private static void field(JsonGenerator g, SerializedString name, String value) throws IOException {
        g.writeFieldName(name);
        g.writeString(value);
    }

    private static void field(JsonGenerator g, SerializedString name, long value) throws IOException {
        g.writeFieldName(name);
        g.writeNumber(value);
    }
}
