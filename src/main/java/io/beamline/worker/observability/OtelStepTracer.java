package io.beamline.worker.observability;

import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.Rejection;
import io.beamline.worker.runtime.StepTracer;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * The runtime's spans on OpenTelemetry (SPEC §6). The receive span continues the W3C trace the
 * Router started when the message carried a {@code traceparent}; execute and publish spans are
 * its children. Attributes: {@code tenant_id}, {@code trace_id} (the wire field),
 * {@code run_id}, {@code block_type}, {@code worker_id}. Thread-safe.
 */
public final class OtelStepTracer implements StepTracer {
    static final AttributeKey<String> TENANT_ID = AttributeKey.stringKey("tenant_id");
    static final AttributeKey<String> TRACE_ID = AttributeKey.stringKey("trace_id");
    static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("run_id");
    static final AttributeKey<String> BLOCK_TYPE = AttributeKey.stringKey("block_type");
    static final AttributeKey<String> WORKER_ID = AttributeKey.stringKey("worker_id");
    static final AttributeKey<String> ASSIGNMENT_ID = AttributeKey.stringKey("assignment_id");

    private static final TextMapGetter<String> TRACEPARENT = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return java.util.List.of("traceparent");
        }

        @Override
        public String get(String carrier, String key) {
            return "traceparent".equals(key) && carrier != null && !carrier.isEmpty() ? carrier : null;
        }
    };

    private final OpenTelemetry openTelemetry;
    private final Tracer tracer;
    private final String workerId;

    public OtelStepTracer(OpenTelemetry openTelemetry, String workerId) {
        this.openTelemetry = openTelemetry;
        this.tracer = openTelemetry.getTracer("beamline-worker");
        this.workerId = workerId;
    }

    @Override
    public StepTracer.Span startReceive(String traceparent) {
        // W3C's propagator itself, not the configured ones: with tracing off those are no-ops, and
        // the Router's trace id (which an assignment without trace_id takes) was lost
        Context parent = traceparent.isEmpty() ? Context.root()
                : W3CTraceContextPropagator.getInstance().extract(Context.root(), traceparent, TRACEPARENT);
        io.opentelemetry.api.trace.Span span = tracer.spanBuilder(RECEIVE).setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
        if (span.isRecording()) {
            // set after the sampling decision: an attribute given to the builder costs a map for
            // every message, sampled or not
            span.setAttribute(WORKER_ID, workerId);
        }
        return new OtelSpan(span);
    }

    @Override
    public StepTracer.Span startChild(StepTracer.Span parent, String name, ExecAssignment assignment) {
        if (!(parent instanceof OtelSpan otel) || !otel.span.getSpanContext().isSampled()) {
            // a child of an unsampled span is unsampled too (parent-based sampling): skip building it
            return StepTracer.Span.NONE;
        }
        Context context = Context.root().with(otel.span);
        // attributes go to the builder: a child of a sampled span is sampled, and the builder
        // takes them without the lock a started span takes for every attribute
        SpanBuilder builder = tracer.spanBuilder(name).setParent(context)
                .setSpanKind(PUBLISH.equals(name) ? SpanKind.PRODUCER : SpanKind.INTERNAL)
                .setAttribute(WORKER_ID, workerId);
        attributes(assignment, builder::setAttribute);
        return new OtelSpan(builder.startSpan());
    }

    /** The assignment's attributes of every span (SPEC §6), given to a span or a span builder. */
    private static void attributes(ExecAssignment assignment, BiConsumer<AttributeKey<String>, String> set) {
        set.accept(TENANT_ID, assignment.tenantId());
        set.accept(BLOCK_TYPE, assignment.job().blockType());
        set.accept(ASSIGNMENT_ID, assignment.assignmentId());
        if (assignment.traceId() != null) {
            set.accept(TRACE_ID, assignment.traceId());
        }
        if (assignment.runId() != null) {
            set.accept(RUN_ID, assignment.runId());
        }
    }

    /** Wraps an OpenTelemetry span. */
    private static final class OtelSpan implements StepTracer.Span {
        final io.opentelemetry.api.trace.Span span;
        // whether it is exported (asked at its start: a span no longer records once ended)
        private final boolean recorded;

        OtelSpan(io.opentelemetry.api.trace.Span span) {
            this.span = span;
            this.recorded = span.isRecording();
        }

        @Override
        public void describe(ExecAssignment assignment) {
            if (!span.isRecording()) {
                return;
            }
            attributes(assignment, span::setAttribute);
        }

        @Override
        public void describe(Decoded.Invalid message, Rejection rejection) {
            if (!span.isRecording()) {
                return;
            }
            setIfPresent(TENANT_ID, rejection.tenantId());
            setIfPresent(TRACE_ID, rejection.traceId());
            setIfPresent(ASSIGNMENT_ID, rejection.assignmentId());
            message.runId().ifPresent(runId -> span.setAttribute(RUN_ID, runId));
            message.blockType().ifPresent(type -> span.setAttribute(BLOCK_TYPE, type));
        }

        private void setIfPresent(AttributeKey<String> key, String value) {
            if (value != null) {
                span.setAttribute(key, value);
            }
        }

        @Override
        public void fail(String message) {
            span.setStatus(StatusCode.ERROR, message);
        }

        @Override
        public Optional<String> traceId() {
            return span.getSpanContext().isValid() ? Optional.of(span.getSpanContext().getTraceId()) : Optional.empty();
        }

        @Override
        public String sampledTraceIdOr(String otherwise) {
            // recorded, not merely sampled: with tracing off the span only carries the Router's
            // traceparent, whose trace no viewer here has
            SpanContext context = span.getSpanContext();
            return recorded && context.isSampled() ? context.getTraceId() : otherwise;
        }

        @Override
        public void end() {
            span.end();
        }
    }

}
