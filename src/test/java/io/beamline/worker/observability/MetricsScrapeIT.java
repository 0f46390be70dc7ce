package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.Reply;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /metrics} of real worker processes, scraped as Prometheus would after real traffic:
 * one worker with the CP2 families on drives every final status (success, 404 and 500 errors, a
 * timeout, a cancel), a rejection and a dead letter through real blocks against a fault server;
 * a second worker runs with the flag off. Every family, label set and value is checked, the
 * cardinality policy too, and promtool judges the exposition.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsScrapeIT {
    /**
     * The one lint finding promtool reports on our exposition, and why it stays: the family name
     * {@code worker_task_latency_ms} is fixed by the wire contract (SPEC §6), unit and all; its
     * seconds twin is {@code worker_step_execution_duration_seconds}.
     */
    static final String CONTRACT_NAME_LINT = "worker_task_latency_ms metric names should not contain abbreviated units";
    static final String TENANT = "tenant-metrics-cardinality";

    @TempDir
    static Path dataDirs;

    private FaultServer destination;
    private MonitoredWorker cp2;
    private MonitoredWorker baseline;
    private TrafficScenario traffic;
    private Exposition scrape;
    private Exposition baselineScrape;

    @BeforeAll
    void driveTrafficAndScrape() throws Exception {
        destination = FaultServer.start()
                .on("/ok", Reply.ok("{\"fine\":true}"))
                .on("/missing", Reply.status(404))
                .on("/broken", Reply.status(500))
                .on("/slow", Reply.ok("late").delayHeaders(Duration.ofSeconds(20)))
                .on("/hang", Reply.blackhole());
        cp2 = MonitoredWorker.start(Map.of("CP2_OBSERVABILITY_METRICS_ENABLED", "true", "CP2_CANCELLATION_ENABLED", "true",
                "CP2_COMPLETE_TIMEOUT_ENABLED", "true"), Files.createDirectories(dataDirs.resolve("cp2")),
                "--worker-id", "metrics-it-cp2");
        traffic = TrafficScenario.run(cp2.router(), destination, TENANT);
        scrape = awaitCounted(cp2, traffic);
        baseline = MonitoredWorker.start(Map.of(), Files.createDirectories(dataDirs.resolve("baseline")),
                "--worker-id", "metrics-it-baseline");
        TrafficScenario.runOneSuccess(baseline.router(), destination, TENANT);
        await().atMost(Duration.ofSeconds(30)).until(() -> baseline.exposition().sum("worker_tasks_total") == 1);
        baselineScrape = baseline.exposition();
    }

    @AfterAll
    void stop() throws Exception {
        for (AutoCloseable resource : new AutoCloseable[] {baseline, cp2, destination}) {
            if (resource != null) {
                resource.close();
            }
        }
    }

    /** The listeners count a step just after publishing it: scrape until every outcome is counted. */
    private static Exposition awaitCounted(MonitoredWorker worker, TrafficScenario traffic) {
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(worker::exposition,
                e -> e.sum("worker_tasks_total") == traffic.resultIds().size()
                        && e.sum("worker_dead_letters_total") == traffic.router().deadLetters.size()
                        && e.sum("worker_assignments_rejected_total") == 1);
    }

    @Test
    void tasksAreCountedByBlockTypeAndFinalStatus() {
        assertThat(scrape.value("worker_tasks_total", "type", "http.request", "status", "success")).contains(1.0);
        assertThat(scrape.value("worker_tasks_total", "type", "http.request", "status", "error")).contains(2.0);
        assertThat(scrape.value("worker_tasks_total", "type", "http.request", "status", "timeout")).contains(1.0);
        assertThat(scrape.value("worker_tasks_total", "type", "http.request", "status", "cancelled")).contains(1.0);
        assertThat(traffic.statuses()).containsExactlyInAnyOrder("success", "error", "error", "timeout", "cancelled");
    }

    @Test
    void stepExecutionsCarryStepTypeExecutionStatusAndResourcePool() {
        for (String status : List.of("success", "timeout", "cancelled")) {
            assertThat(scrape.value("worker_step_executions_total", "step_type", "http.request", "execution_status", status,
                    "resource_pool", "io")).as(status).contains(1.0);
        }
        assertThat(scrape.value("worker_step_executions_total", "step_type", "http.request", "execution_status", "error",
                "resource_pool", "io")).contains(2.0);
        assertThat(scrape.value("worker_step_execution_duration_seconds_count", "step_type", "http.request",
                "execution_status", "error", "resource_pool", "io")).contains(2.0);
        assertThat(scrape.value("worker_step_execution_duration_seconds_bucket", "step_type", "http.request",
                "execution_status", "success", "resource_pool", "io", "le", "+Inf")).contains(1.0);
    }

    @Test
    void stepErrorsAreCountedByErrorCode() {
        assertThat(scrape.value("worker_step_errors_total", "step_type", "http.request", "execution_status", "error",
                "error_code", "3003", "resource_pool", "io")).as("HTTP 404 and 500").contains(2.0);
        assertThat(scrape.value("worker_step_errors_total", "step_type", "http.request", "execution_status", "timeout",
                "error_code", "5002", "resource_pool", "io")).as("timeout").contains(1.0);
        assertThat(scrape.value("worker_step_errors_total", "step_type", "http.request", "execution_status", "cancelled",
                "error_code", "5001", "resource_pool", "io")).as("cancel").contains(1.0);
        assertThat(scrape.sum("worker_step_errors_total")).isEqualTo(4.0);
    }

    @Test
    void retriesAndTimeoutsMatchWhatTheResultsReported() {
        double retriesReported = traffic.router().results.stream().mapToInt(r -> r.path("retries_used").asInt()).sum();
        assertThat(retriesReported).as("the baseline retries 404 and 500 twice each").isGreaterThanOrEqualTo(4);
        assertThat(scrape.value("worker_step_retries_total", "step_type", "http.request", "resource_pool", "io"))
                .contains(retriesReported);
        assertThat(destination.requests("/missing")).hasSize(3);
        assertThat(scrape.value("worker_step_timeouts_total", "step_type", "http.request", "resource_pool", "io")).contains(1.0);
    }

    @Test
    void rejectionsAndDeadLettersAreCountedByReason() {
        assertThat(scrape.value("worker_assignments_rejected_total", "reason", "unsupported_block")).contains(1.0);
        Map<String, Long> lettersSeen = traffic.router().deadLetters.stream()
                .collect(Collectors.groupingBy(d -> d.path("reason").asText(), Collectors.counting()));
        assertThat(lettersSeen).containsOnlyKeys("unreadable", "unsupported_block", "non_retriable_failure");
        lettersSeen.forEach((reason, count) ->
                assertThat(scrape.value("worker_dead_letters_total", "reason", reason)).as(reason).contains(count.doubleValue()));
        assertThat(lettersSeen.get("non_retriable_failure")).as("404 and timeout are final; a cancel is not a failure").isEqualTo(2);
    }

    @Test
    void latencyIsAClassicMillisecondHistogramPerBlockType() {
        assertThat(scrape.types()).containsEntry("worker_task_latency_ms", "histogram");
        assertThat(scrape.value("worker_task_latency_ms_count", "type", "http.request")).contains(5.0);
        assertThat(scrape.value("worker_task_latency_ms_bucket", "type", "http.request", "le", "+Inf")).contains(5.0);
        List<Double> cumulative = scrape.series("worker_task_latency_ms_bucket").stream()
                .filter(sample -> "http.request".equals(sample.labels().get("type")))
                .map(Exposition.Sample::value).toList();
        assertThat(cumulative).hasSizeGreaterThan(5).isSorted();
        assertThat(scrape.value("worker_task_latency_ms_sum", "type", "http.request").orElseThrow())
                .as("the timed-out step alone took at least its 300 ms budget").isGreaterThanOrEqualTo(300.0);
    }

    @Test
    void aFlowsDurationIsObservedWithoutItsId() {
        assertThat(scrape.types()).containsEntry("worker_flow_execution_duration_seconds", "histogram");
        assertThat(scrape.value("worker_flow_execution_duration_seconds_count")).contains(1.0);
    }

    @Test
    void queueActiveAndHealthGaugesDescribeAnIdleHealthyWorker() {
        for (String pool : List.of("cpu", "gpu", "io")) {
            assertThat(scrape.value("worker_pool_queue_depth", "pool", pool)).as(pool).contains(0.0);
            assertThat(scrape.value("worker_queue_depth", "resource_pool", pool)).as(pool).contains(0.0);
            assertThat(scrape.value("worker_active_tasks", "resource_pool", pool)).as(pool).contains(0.0);
        }
        for (String check : List.of("nats", "pools", "intake", "critical_errors")) {
            assertThat(scrape.value("worker_health_status", "check", check)).as(check).contains(1.0);
        }
        assertThat(scrape.value("worker_nats_connected")).contains(1.0);
        assertThat(scrape.value("worker_intake_dropped_total")).as("nothing dropped unread").contains(0.0);
        assertThat(scrape.value("worker_circuit_breakers_open")).contains(0.0);
    }

    @Test
    void processResourcesAndJvmBasicsAreExported() {
        assertThat(scrape.value("worker_resource_usage", "type", "cpu_time_ms").orElseThrow()).isPositive();
        assertThat(scrape.value("worker_resource_usage", "type", "memory_mb").orElseThrow()).isPositive();
        assertThat(scrape.value("jvm_memory_used_bytes", "area", "heap").orElseThrow()).isPositive();
        assertThat(scrape.value("jvm_threads_current").orElseThrow()).isPositive();
        assertThat(scrape.value("process_cpu_seconds_total").orElseThrow()).isPositive();
    }

    @Test
    void noSeriesCarriesIdsOrTheTenantByDefault() {
        for (Exposition exposition : List.of(scrape, baselineScrape)) {
            assertThat(exposition.labelNames()).doesNotContain("run_id", "flow_id", "step_id", "assignment_id", "tenant_id",
                    "trace_id", "request_id");
            assertThat(exposition.text()).doesNotContain(TENANT);
        }
        for (String id : traffic.everyIdSent()) {
            assertThat(scrape.text()).as("an id sent in the traffic").doesNotContain(id);
        }
    }

    @Test
    void withTheFlagOffOnlyTheBaselineFamiliesAreExported() {
        assertThat(baselineScrape.value("worker_tasks_total", "type", "http.request", "status", "success")).contains(1.0);
        assertThat(baselineScrape.value("worker_task_latency_ms_count", "type", "http.request")).contains(1.0);
        assertThat(baselineScrape.series("worker_resource_usage")).hasSize(2);
        assertThat(baselineScrape.series("worker_pool_queue_depth")).hasSize(3);
        assertThat(baselineScrape.value("worker_nats_connected")).contains(1.0);
        assertThat(baselineScrape.sampleNames()).contains("jvm_memory_used_bytes");
        for (String cp2Family : List.of("worker_step_executions", "worker_step_execution_duration_seconds", "worker_step_errors",
                "worker_flow_execution_duration_seconds", "worker_queue_depth", "worker_active_tasks", "worker_health_status")) {
            assertThat(baselineScrape.sampleNames()).as(cp2Family)
                    .noneMatch(name -> name.equals(cp2Family) || name.startsWith(cp2Family + "_"));
            assertThat(baselineScrape.types().keySet()).as(cp2Family)
                    .noneMatch(name -> name.equals(cp2Family) || name.equals(cp2Family + "_total"));
        }
    }

    @Test
    void promtoolFindsNothingWrongWithTheExpositionBeyondTheContractsOwnName() throws Exception {
        for (Exposition exposition : List.of(scrape, baselineScrape)) {
            Promtool.Result lint = Promtool.run(exposition.text(), "check", "metrics");
            List<String> problems = Arrays.stream(lint.output().split("\n")).filter(line -> !line.isBlank()).toList();
            assertThat(lint.exitCode()).as(lint.output()).isIn(0, Promtool.LINT_PROBLEMS);
            assertThat(problems).as("promtool check metrics").isSubsetOf(CONTRACT_NAME_LINT);
        }
    }

    @Test
    void theHealthServerAlsoAnswersTheStatusOfAFinishedAssignment() throws Exception {
        String id = traffic.successId();
        var response = cp2.getHealthServer("/assignments/" + id);
        JsonNode status = Json.mapper().readTree(response.body());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(status.path("state").asText()).isEqualTo("finished");
        assertThat(status.path("result").path("status").asText()).isEqualTo("success");
        assertThat(status.path("tenant_id").asText()).isEqualTo(TENANT);
        assertThat(status.path("block_type").asText()).isEqualTo("http.request");
    }

    @Test
    void anAssignmentTheWorkerNeverSawIsUnknown() throws Exception {
        var response = cp2.getHealthServer("/assignments/never-sent-" + System.nanoTime());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(Json.mapper().readTree(response.body()).path("state").asText()).isEqualTo("unknown");
    }
}
