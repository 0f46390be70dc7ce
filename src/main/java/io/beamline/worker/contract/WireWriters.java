package io.beamline.worker.contract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Hand-written serializers for the two messages sent for every assignment (ack and result),
 * because Jackson's reflective record serialization was a fifth of the intake thread's time in
 * the profile. They write exactly what the record serializers write (same names, same order,
 * nulls omitted); {@code GoldenContractTest} holds them to the golden examples.
 */
final class WireWriters {
    private WireWriters() {
    }

    static SimpleModule module() {
        return new SimpleModule("beamline-wire")
                .addSerializer(ExecAssignmentAck.class, new AckWriter())
                .addSerializer(ExecResult.class, new ResultWriter());
    }

    private static final class AckWriter extends StdSerializer<ExecAssignmentAck> {
        AckWriter() {
            super(ExecAssignmentAck.class);
        }

        @Override
        public void serialize(ExecAssignmentAck ack, JsonGenerator g, SerializerProvider provider) throws IOException {
            g.writeStartObject();
            text(g, "assignment_id", ack.assignmentId());
            if (ack.status() != null) {
                g.writeStringField("status", ack.status() == ExecAssignmentAck.Status.ACCEPTED ? "accepted" : "rejected");
            }
            text(g, "message", ack.message());
            text(g, "request_id", ack.requestId());
            text(g, "trace_id", ack.traceId());
            text(g, "tenant_id", ack.tenantId());
            number(g, "acknowledged_at", ack.acknowledgedAt());
            if (ack.reason() != null) {
                g.writeStringField("reason", ack.reason().wireName());
            }
            if (ack.errorCode() != null) {
                g.writeNumberField("error_code", ack.errorCode().code());
            }
            number(g, "retry_after_ms", ack.retryAfterMs());
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
            text(g, "assignment_id", result.assignmentId());
            if (result.status() != null) {
                g.writeStringField("status", result.status().wireName());
            }
            if (result.result() != null) {
                g.writeFieldName("result");
                provider.defaultSerializeValue(result.result(), g);
            }
            if (result.error() != null) {
                g.writeFieldName("error");
                provider.defaultSerializeValue(result.error(), g);
            }
            number(g, "latency_ms", result.latencyMs());
            if (result.retriesUsed() != null) {
                g.writeNumberField("retries_used", result.retriesUsed());
            }
            ResultMetadata metadata = result.metadata();
            if (metadata != null) {
                g.writeObjectFieldStart("metadata");
                text(g, "block_type", metadata.blockType());
                text(g, "provider_id", metadata.providerId());
                text(g, "run_id", metadata.runId());
                text(g, "flow_id", metadata.flowId());
                text(g, "step_id", metadata.stepId());
                g.writeEndObject();
            }
            text(g, "trace_id", result.traceId());
            text(g, "tenant_id", result.tenantId());
            number(g, "completed_at", result.completedAt());
            g.writeEndObject();
        }
    }

    private static void text(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    private static void number(JsonGenerator g, String name, Long value) throws IOException {
        if (value != null) {
            g.writeNumberField(name, value);
        }
    }
}
