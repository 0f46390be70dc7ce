package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.InProcessWorker;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trace id of a step rides on its latency observation as an exemplar (SPEC §6: ids go "to
 * traces and exemplars", never to labels), visible in the OpenMetrics format Prometheus asks
 * for, absent from the plain text format and from every label.
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
