package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.runtime.StepTracer;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.Reply;
import io.beamline.worker.support.InProcessWorker;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The worker's spans (SPEC §6) on an in-memory OpenTelemetry SDK, with a whole sandbox worker in
 * the test's JVM: span names and kinds, the parent taken from the Router's {@code traceparent},
 * execute and publish as children of receive, the attributes, and what happens without a
 * traceparent or with a broken one.
 */
class TracingTest {
    static final String WORKER_ID = "tracing-test-worker";

    private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
    private SdkTracerProvider tracerProvider;
    private OpenTelemetrySdk openTelemetry;
    private InProcessWorker worker;

    @BeforeEach
    void startWorkerWithAnInMemoryExporter() {
        tracerProvider = SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
        openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(tracerProvider)
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build();
        worker = new InProcessWorker(openTelemetry, Map.of("WORKER_SANDBOX_MODE", "true"), "--worker-id", WORKER_ID);
    }

    @AfterEach
    void stop() {
        worker.close();
        tracerProvider.close();
    }

    @Test
    void theRoutersTraceparentBecomesTheParentOfTheReceiveSpan() {
        String traceId = randomHex(16);
        String routerSpanId = randomHex(8);

        List<SpanData> spans = runTraced(Assignments.httpGet("https://example.test/a"), traceparent(traceId, routerSpanId, "01"));

        SpanData receive = named(spans, StepTracer.RECEIVE);
        assertThat(receive.getTraceId()).isEqualTo(traceId);
        assertThat(receive.getParentSpanId()).isEqualTo(routerSpanId);
        assertThat(receive.getParentSpanContext().isRemote()).isTrue();
        assertThat(receive.getKind()).isEqualTo(SpanKind.CONSUMER);
    }

    @Test
    void executeAndPublishSpansAreChildrenOfTheReceiveSpanInTheSameTrace() {
        String traceId = randomHex(16);

        List<SpanData> spans = runTraced(Assignments.httpGet("https://example.test/b"), traceparent(traceId, randomHex(8), "01"));

        SpanData receive = named(spans, StepTracer.RECEIVE);
        assertThat(spans).extracting(SpanData::getName)
                .containsExactlyInAnyOrder(StepTracer.RECEIVE, StepTracer.EXECUTE, StepTracer.PUBLISH);
        for (String child : List.of(StepTracer.EXECUTE, StepTracer.PUBLISH)) {
            assertThat(named(spans, child).getParentSpanId()).as(child).isEqualTo(receive.getSpanId());
            assertThat(named(spans, child).getTraceId()).as(child).isEqualTo(traceId);
        }
        assertThat(named(spans, StepTracer.EXECUTE).getKind()).isEqualTo(SpanKind.INTERNAL);
        assertThat(named(spans, StepTracer.PUBLISH).getKind()).isEqualTo(SpanKind.PRODUCER);
        assertThat(spans).allMatch(span -> span.getStatus().getStatusCode() != StatusCode.ERROR);
    }

    @Test
    void everySpanCarriesTenantTraceRunBlockTypeAndWorker() {
        ObjectNode assignment = Assignments.fsGet("/reports/q1.csv").put("tenant_id", "tenant-trace")
                .put("trace_id", "trace-from-router").put("run_id", "run-42");

        List<SpanData> spans = runTraced(assignment, traceparent(randomHex(16), randomHex(8), "01"));

        assertThat(spans).hasSize(3).allSatisfy(span -> {
            assertThat(span.getAttributes().get(AttributeKey.stringKey("tenant_id"))).as(span.getName()).isEqualTo("tenant-trace");
            assertThat(span.getAttributes().get(AttributeKey.stringKey("trace_id"))).as(span.getName()).isEqualTo("trace-from-router");
            assertThat(span.getAttributes().get(AttributeKey.stringKey("run_id"))).as(span.getName()).isEqualTo("run-42");
            assertThat(span.getAttributes().get(AttributeKey.stringKey("block_type"))).as(span.getName()).isEqualTo("fs.get");
            assertThat(span.getAttributes().get(AttributeKey.stringKey("worker_id"))).as(span.getName()).isEqualTo(WORKER_ID);
        });
    }

    @Test
    void withoutTraceparentTheReceiveSpanStartsANewTrace() {
        List<SpanData> spans = runTraced(Assignments.httpGet("https://example.test/c"), "");

        SpanData receive = named(spans, StepTracer.RECEIVE);
        assertThat(receive.getParentSpanId()).isEqualTo(SpanId.getInvalid());
        assertThat(receive.getParentSpanContext().isValid()).isFalse();
        assertThat(spans).extracting(SpanData::getTraceId).containsOnly(receive.getTraceId());
    }

    @Test
    void anAssignmentWithoutTraceIdGetsTheSpansTraceIdInItsAckAndResult() {
        ObjectNode assignment = Assignments.httpGet("https://example.test/d");
        assignment.remove("trace_id");
        String id = assignment.get("assignment_id").asText();

        List<SpanData> spans = runTraced(assignment, "");

        String otelTraceId = named(spans, StepTracer.RECEIVE).getTraceId();
        assertThat(worker.sink.ackFor(id).orElseThrow().traceId()).isEqualTo(otelTraceId);
        assertThat(worker.sink.resultFor(id).orElseThrow().traceId()).isEqualTo(otelTraceId);
        assertThat(spans).allSatisfy(span ->
                assertThat(span.getAttributes().get(AttributeKey.stringKey("trace_id"))).isEqualTo(otelTraceId));
    }

    @Test
    void theRoutersDecisionNotToSampleIsRespectedAndItsTraceIdStillReachesTheResult() {
        String traceId = randomHex(16);
        ObjectNode assignment = Assignments.httpGet("https://example.test/e");
        assignment.remove("trace_id");
        String id = assignment.get("assignment_id").asText();

        worker.worker().coordinator().onMessage(Json.write(assignment), traceparent(traceId, randomHex(8), "00"));
        ExecResult result = worker.awaitResult(id, Duration.ofSeconds(10));

        assertThat(result.traceId()).isEqualTo(traceId);
        assertThat(exporter.getFinishedSpanItems()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "00-zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-00f067aa0ba902b7-01",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7"})
    void aMalformedTraceparentStartsANewTraceAndTheStepStillRuns(String traceparent) {
        List<SpanData> spans = runTraced(Assignments.httpGet("https://example.test/f"), traceparent);

        SpanData receive = named(spans, StepTracer.RECEIVE);
        assertThat(receive.getParentSpanContext().isValid()).isFalse();
        assertThat(receive.getTraceId()).isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void anUnreadableMessageLeavesAReceiveSpanMarkedAsAnError() {
        String traceId = randomHex(16);

        worker.worker().coordinator().onMessage("not an assignment".getBytes(StandardCharsets.UTF_8),
                traceparent(traceId, randomHex(8), "01"));

        await().atMost(Duration.ofSeconds(10)).until(() -> worker.sink.deadLetters.size() == 1);
        SpanData receive = named(exporter.getFinishedSpanItems(), StepTracer.RECEIVE);
        assertThat(receive.getTraceId()).isEqualTo(traceId);
        assertThat(receive.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(exporter.getFinishedSpanItems()).hasSize(1);
    }

    /**
     * Regression: a message refused at validation left a receive span with worker_id only,
     * though its tenant, trace, run and block type could be read (SPEC §6).
     */
    @ParameterizedTest
    @ValueSource(strings = {"unsupported_block", "invalid_input", "missing_required_field"})
    void aMessageRefusedAtValidationLeavesAReceiveSpanWithTheAttributesItHad(String reason) {
        ObjectNode assignment = Assignments.fsGet("/refused").put("tenant_id", "tenant-refused")
                .put("trace_id", "trace-refused").put("run_id", "run-refused");
        switch (reason) {
            case "unsupported_block" -> ((ObjectNode) assignment.get("job")).put("type", "no.such.block");
            case "invalid_input" -> assignment.put("version", "2");
            default -> assignment.remove("request_id");
        }
        String id = assignment.get("assignment_id").asText();

        worker.worker().coordinator().onMessage(Json.write(assignment), traceparent(randomHex(16), randomHex(8), "01"));

        assertThat(worker.sink.ackFor(id).orElseThrow().reason().wireName()).as("the rejection's reason").isEqualTo(reason);
        SpanData receive = named(exporter.getFinishedSpanItems(), StepTracer.RECEIVE);
        assertThat(receive.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(receive.getStatus().getDescription()).contains(reason.equals("unsupported_block") ? "no.such.block"
                : reason.equals("invalid_input") ? "version" : "request_id");
        assertThat(receive.getAttributes().asMap()).containsOnly(
                entry(AttributeKey.stringKey("tenant_id"), "tenant-refused"),
                entry(AttributeKey.stringKey("trace_id"), "trace-refused"),
                entry(AttributeKey.stringKey("run_id"), "run-refused"),
                entry(AttributeKey.stringKey("block_type"), reason.equals("unsupported_block") ? "no.such.block" : "fs.get"),
                entry(AttributeKey.stringKey("assignment_id"), id),
                entry(AttributeKey.stringKey("worker_id"), WORKER_ID));
    }

    @Test
    void aFailedStepMarksItsExecuteSpanAsAnErrorWithItsCode(@TempDir Path dataDir) throws Exception {
        try (FaultServer destination = FaultServer.start().on("/gone", Reply.status(404));
             InProcessWorker real = new InProcessWorker(openTelemetry, Map.of(), "--worker-id", WORKER_ID,
                     "--data-dir", dataDir.toString())) {
            ObjectNode assignment = Assignments.httpGet(destination.url("/gone"));
            String id = assignment.get("assignment_id").asText();

            real.worker().coordinator().onMessage(Json.write(assignment), traceparent(randomHex(16), randomHex(8), "01"));

            assertThat(real.awaitResult(id, Duration.ofSeconds(10)).status().wireName()).isEqualTo("error");
            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().size() == 3);
            SpanData execute = named(exporter.getFinishedSpanItems(), StepTracer.EXECUTE);
            assertThat(execute.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
            assertThat(execute.getStatus().getDescription()).startsWith("3003 ");
            assertThat(named(exporter.getFinishedSpanItems(), StepTracer.RECEIVE).getStatus().getStatusCode())
                    .isNotEqualTo(StatusCode.ERROR);
        }
    }

    /** Submits as the NATS transport would, waits for the result and for its three spans. */
    private List<SpanData> runTraced(ObjectNode assignment, String traceparent) {
        String id = assignment.get("assignment_id").asText();
        worker.worker().coordinator().onMessage(Json.write(assignment), traceparent);
        assertThat(worker.awaitResult(id, Duration.ofSeconds(10)).status().wireName()).isEqualTo("success");
        await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().size() == 3);
        return exporter.getFinishedSpanItems();
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(span -> span.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " in " + spans));
    }

    static String traceparent(String traceId, String spanId, String flags) {
        return "00-" + traceId + "-" + spanId + "-" + flags;
    }

    static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        ThreadLocalRandom.current().nextBytes(random);
        random[0] |= 1;  // never all zeros, which W3C reserves as invalid
        return HexFormat.of().formatHex(random);
    }
}
