package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.InProcessWorker;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The trace id of a step rides on its latency observation as an exemplar (SPEC §6: ids go "to
 * traces and exemplars", never to labels), visible in the OpenMetrics format Prometheus asks
 * for, absent from the plain text format and from every label. While tracing, it is the trace
 * id of the step's spans, the one a trace viewer can open.
 */
class MetricsExemplarTest {
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @Test
    void latencyHistogramsCarryTheStepsTraceIdAsAnExemplar() {
        try (InProcessWorker worker = new InProcessWorker(Map.of("WORKER_SANDBOX_MODE", "true",
                "CP2_OBSERVABILITY_METRICS_ENABLED", "true"))) {
            worker.awaitResult(worker.submit(Assignments.fsGet("/x").put("trace_id", TRACE_ID)), Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).until(() -> openMetrics(worker).contains(TRACE_ID));

            String scrape = openMetrics(worker);
            assertThat(scrape.lines().filter(line -> line.contains("trace_id=\"" + TRACE_ID + "\"")))
                    .as("exemplars on the baseline and the CP2 latency histograms")
                    .anySatisfy(line -> assertThat(line).startsWith("worker_task_latency_ms_bucket{"))
                    .anySatisfy(line -> assertThat(line).startsWith("worker_step_execution_duration_seconds_bucket{"))
                    .allSatisfy(line -> assertThat(line.substring(0, line.indexOf(" # "))).doesNotContain(TRACE_ID));
            assertThat(text(worker)).doesNotContain(TRACE_ID);
        }
    }

    /**
     * Regression: with tracing on, the exemplar named the wire trace_id, an id no trace viewer
     * knows, whether the worker started the trace or the Router's traceparent did.
     */
    @ParameterizedTest(name = "traceparent \"{0}\"")
    @ValueSource(strings = {"", "00-" + TRACE_ID + "-00f067aa0ba902b7-01"})
    void whileTracingTheExemplarIsTheTraceIdOfTheStepsSpans(String traceparent) {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SdkTracerProvider tracerProvider = tracerProvider(exporter);
             InProcessWorker worker = cp2Worker(OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build())) {
            runWithTraceparent(worker, "obs-wire-trace", traceparent);

            await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().size() == 3);
            String spanTraceId = exporter.getFinishedSpanItems().getFirst().getTraceId();
            assertThat(exporter.getFinishedSpanItems()).extracting(SpanData::getTraceId).containsOnly(spanTraceId);
            assertThat(exemplarTraceIds(worker)).as("exemplars of both latency histograms").containsOnly(spanTraceId)
                    .hasSize(2);
        }
    }

    @Test
    void aStepTheRouterDidNotSampleKeepsItsWireTraceIdAsTheExemplar() {
        InMemorySpanExporter exporter = InMemorySpanExporter.create();
        try (SdkTracerProvider tracerProvider = tracerProvider(exporter);
             InProcessWorker worker = cp2Worker(OpenTelemetrySdk.builder().setTracerProvider(tracerProvider).build())) {
            runWithTraceparent(worker, "unsampled-wire-trace", "00-" + TRACE_ID + "-00f067aa0ba902b7-00");

            assertThat(exemplarTraceIds(worker)).containsOnly("unsampled-wire-trace").hasSize(2);
            assertThat(exporter.getFinishedSpanItems()).isEmpty();
        }
    }

    @Test
    void withTracingOffASampledTraceparentDoesNotReplaceTheWireTraceIdInTheExemplar() {
        try (InProcessWorker worker = cp2Worker(OpenTelemetry.noop())) {
            runWithTraceparent(worker, "untraced-wire-trace", "00-" + TRACE_ID + "-00f067aa0ba902b7-01");

            assertThat(exemplarTraceIds(worker)).containsOnly("untraced-wire-trace").hasSize(2);
        }
    }

    private static SdkTracerProvider tracerProvider(InMemorySpanExporter exporter) {
        return SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
    }

    private static InProcessWorker cp2Worker(OpenTelemetry openTelemetry) {
        return new InProcessWorker(openTelemetry, Map.of("WORKER_SANDBOX_MODE", "true", "CP2_OBSERVABILITY_METRICS_ENABLED", "true"));
    }

    /** Runs one step with a wire trace_id as the NATS transport would, with a traceparent header ("" for none). */
    private static void runWithTraceparent(InProcessWorker worker, String wireTraceId, String traceparent) {
        ObjectNode assignment = Assignments.fsGet("/x").put("trace_id", wireTraceId);
        String id = assignment.get("assignment_id").asText();
        worker.worker().coordinator().onMessage(Json.write(assignment), traceparent);
        assertThat(worker.awaitResult(id, Duration.ofSeconds(10)).traceId()).as("the result's").isEqualTo(wireTraceId);
    }

    /** The trace ids of the exemplars on the two latency histograms, once both have one. */
    private static List<String> exemplarTraceIds(InProcessWorker worker) {
        await().atMost(Duration.ofSeconds(10)).until(() -> exemplarLines(worker).size() == 2);
        return exemplarLines(worker).stream()
                .map(line -> line.replaceAll(".* # \\{trace_id=\"([^\"]*)\"}.*", "$1"))
                .toList();
    }

    private static List<String> exemplarLines(InProcessWorker worker) {
        return openMetrics(worker).lines()
                .filter(line -> line.startsWith("worker_task_latency_ms_bucket{")
                        || line.startsWith("worker_step_execution_duration_seconds_bucket{"))
                .filter(line -> line.contains(" # {"))
                .toList();
    }

    private static String openMetrics(InProcessWorker worker) {
        return write(worker, true);
    }

    private static String text(InProcessWorker worker) {
        return write(worker, false);
    }

    private static String write(InProcessWorker worker, boolean openMetrics) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            var snapshots = worker.worker().metrics().registry().scrape();
            if (openMetrics) {
                OpenMetricsTextFormatWriter.create().write(out, snapshots);
            } else {
                PrometheusTextFormatWriter.create().write(out, snapshots);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
