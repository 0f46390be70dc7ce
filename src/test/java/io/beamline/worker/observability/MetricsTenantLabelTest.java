package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.InProcessWorker;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The opt-in side of the cardinality policy, in process: {@code --metrics-tenant-label} adds
 * {@code tenant_id} to the CP2 step families and to nothing else; run, flow and step ids never
 * become labels either way.
 */
class MetricsTenantLabelTest {
    private static final Map<String, String> CP2_SANDBOX = Map.of("WORKER_SANDBOX_MODE", "true",
            "CP2_OBSERVABILITY_METRICS_ENABLED", "true");

    @Test
    void withTheTenantLabelOnStepSeriesAreSplitByTenant() throws IOException {
        try (InProcessWorker worker = new InProcessWorker(CP2_SANDBOX, "--metrics-tenant-label")) {
            runOneStepEach(worker, "tenant-a", "tenant-b");

            Exposition scrape = scrape(worker);

            for (String tenant : new String[] {"tenant-a", "tenant-b"}) {
                assertThat(scrape.value("worker_step_executions_total", "step_type", "fs.get", "execution_status", "success",
                        "resource_pool", "io", "tenant_id", tenant)).as(tenant).contains(1.0);
                assertThat(scrape.value("worker_step_execution_duration_seconds_count", "step_type", "fs.get",
                        "execution_status", "success", "resource_pool", "io", "tenant_id", tenant)).as(tenant).contains(1.0);
            }
            assertThat(scrape.value("worker_tasks_total", "type", "fs.get", "status", "success"))
                    .as("the baseline family keeps its contract labels").contains(2.0);
            assertThat(scrape.labelNames()).doesNotContain("run_id", "flow_id", "step_id", "assignment_id");
        }
    }

    @Test
    void withoutItNoSeriesNamesATenant() throws IOException {
        try (InProcessWorker worker = new InProcessWorker(CP2_SANDBOX)) {
            runOneStepEach(worker, "tenant-a", "tenant-b");

            Exposition scrape = scrape(worker);

            assertThat(scrape.value("worker_step_executions_total", "step_type", "fs.get", "execution_status", "success",
                    "resource_pool", "io")).contains(2.0);
            assertThat(scrape.labelNames()).doesNotContain("tenant_id", "run_id", "flow_id", "step_id", "assignment_id");
        }
    }

    private static void runOneStepEach(InProcessWorker worker, String... tenants) {
        for (String tenant : tenants) {
            var assignment = Assignments.fsGet("/x").put("tenant_id", tenant).put("run_id", "run-1").put("flow_id", "flow-1")
                    .put("step_id", "step-1");
            worker.awaitResult(worker.submit(assignment), Duration.ofSeconds(10));
        }
        // the listeners count a step just after its result is published
        await().atMost(Duration.ofSeconds(10)).until(() -> scrape(worker).sum("worker_tasks_total") == tenants.length);
    }

    /** The registry as {@code /metrics} would write it. */
    private static Exposition scrape(InProcessWorker worker) throws IOException {
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(text, worker.worker().metrics().registry().scrape());
        return Exposition.parse(text.toString(StandardCharsets.UTF_8));
    }
}
