package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.Reply;
import io.beamline.worker.support.WorkerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code ops/}: the panels and alerts of
 * the implementation report with their thresholds, valid PromQL (promtool), rules that fire when
 * and only when they should ({@code promtool test rules}), and, above all, every metric they read
 * really exported by a live worker with the CP2 families on, exactly as named in its scrape.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OpsAssetsIT {
    static final Path DASHBOARD = Path.of("ops/grafana/worker-observability.json");
    static final Path ALERTS = Path.of("ops/prometheus/worker-alerts.yml");
    static final Path ALERT_TESTS = Path.of("ops/prometheus/worker-alerts.test.yml");
    static final List<String> REPORT_PANELS = List.of("Step Execution Rate", "Step Execution Duration (p50/p95/p99)",
            "Step Error Rate", "Queue Depth by Resource Pool", "Active Tasks by Resource Pool",
            "Flow Execution Duration (p95/p99)", "Health Status", "Step Success/Error Ratio");

    @TempDir
    static Path dataDir;

    private JsonNode dashboard;
    private AlertRules alerts;
    private FaultServer destination;
    private MonitoredWorker worker;
    private Exposition scrape;

    @BeforeAll
    void readAssetsAndScrapeALiveWorker() throws Exception {
        dashboard = Json.mapper().readTree(Files.readString(home(DASHBOARD)));
        alerts = AlertRules.parse(Files.readString(home(ALERTS)));
        destination = FaultServer.start().on("/ok", Reply.ok("ok")).on("/missing", Reply.status(404))
                .on("/broken", Reply.status(500)).on("/slow", Reply.ok("late").delayHeaders(Duration.ofSeconds(20)))
                .on("/hang", Reply.blackhole());
        worker = MonitoredWorker.start(Map.of("CP2_OBSERVABILITY_METRICS_ENABLED", "true", "CP2_CANCELLATION_ENABLED", "true",
                "CP2_COMPLETE_TIMEOUT_ENABLED", "true"), dataDir);
        TrafficScenario traffic = TrafficScenario.run(worker.router(), destination, "tenant-ops");
        scrape = await().atMost(Duration.ofSeconds(30)).until(worker::exposition,
                e -> e.sum("worker_tasks_total") == traffic.resultIds().size());
    }

    @AfterAll
    void stop() throws Exception {
        if (worker != null) {
            worker.close();
        }
        if (destination != null) {
            destination.close();
        }
    }

    @Test
    void theDashboardHasTheEightPanelsOfTheImplementationReport() {
        List<String> titles = new ArrayList<>();
        Set<Integer> ids = new LinkedHashSet<>();
        panels().forEach(panel -> {
            titles.add(panel.path("title").asText());
            ids.add(panel.path("id").asInt());
            assertThat(panel.path("gridPos").path("w").asInt()).as(panel.path("title").asText()).isPositive();
            assertThat(panel.path("targets")).as(panel.path("title").asText()).isNotEmpty();
        });
        assertThat(titles).containsExactlyElementsOf(REPORT_PANELS);
        assertThat(ids).hasSize(REPORT_PANELS.size());
        assertThat(dashboard.path("schemaVersion").asInt()).isEqualTo(39);
        assertThat(dashboard.path("uid").asText()).isNotBlank();
    }

    @Test
    void everyPanelAndQueryReadsThePrometheusDatasourceVariable() {
        JsonNode variable = variables().stream().filter(v -> v.path("name").asText().equals("DS_PROMETHEUS"))
                .findFirst().orElseThrow();
        assertThat(variable.path("type").asText()).isEqualTo("datasource");
        assertThat(variable.path("query").asText()).isEqualTo("prometheus");
        panels().forEach(panel -> {
            assertThat(panel.path("datasource").path("uid").asText()).as(panel.path("title").asText())
                    .isEqualTo("${DS_PROMETHEUS}");
            panel.path("targets").forEach(target ->
                    assertThat(target.path("datasource").path("uid").asText()).isEqualTo("${DS_PROMETHEUS}"));
        });
    }

    @Test
    void everyDashboardQueryIsValidPromQl(@TempDir Path dir) throws Exception {
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard-queries\n    rules:\n");
        dashboardQueries().forEach((where, expr) -> rules
                .append("      - record: dashboard_query_").append(where.replaceAll("\\W", "_"))
                .append("\n        expr: '").append(asPlainPromQl(expr).replace("'", "''")).append("'\n"));
        Path file = dir.resolve("dashboard-queries.yml");
        Files.writeString(file, rules, StandardCharsets.UTF_8);

        Promtool.Result check = Promtool.run("", "check", "rules", file.toString());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains(dashboardQueries().size() + " rules found");
    }

    @Test
    void theAlertRulesPassPromtoolCheckRules() throws Exception {
        Promtool.Result check = Promtool.run("", "check", "rules", home(ALERTS).toString());

        assertThat(check.exitCode()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 9 rules found");
    }

    @Test
    void theAlertsFireAtTheirThresholdsOnlyAfterTheirDurations() throws Exception {
        Promtool.Result unitTests = Promtool.run("", "test", "rules", home(ALERT_TESTS).toString());

        assertThat(unitTests.exitCode()).as(unitTests.output()).isZero();
        assertThat(unitTests.output()).contains("SUCCESS");
    }

    @Test
    void theEightAlertsOfTheReportAndNatsDisconnectedHaveTheirThresholdsAndDurations() {
        record Expected(String forDuration, String severity, String exprEnd) {
        }
        Map<String, Expected> expected = new LinkedHashMap<>();
        expected.put("WorkerHighTaskErrorRate", new Expected("5m", "warning", "> 0.10"));
        expected.put("WorkerHighTaskLatency", new Expected("5m", "warning", "> 2000"));
        expected.put("WorkerVeryHighTaskLatency", new Expected("5m", "critical", "> 5000"));
        expected.put("WorkerHighQueueDepth", new Expected("5m", "warning", "> 100"));
        expected.put("WorkerCriticalQueueDepth", new Expected("2m", "critical", "> 500"));
        expected.put("WorkerUnhealthy", new Expected("1m", "critical", "worker_health_status == 0"));
        expected.put("WorkerHighActiveTasks", new Expected("5m", "warning", "> 50"));
        expected.put("WorkerHighFlowExecutionDuration", new Expected("5m", "warning", "> 30"));
        expected.put("WorkerNatsDisconnected", new Expected("1m", "critical", "worker_nats_connected == 0"));

        assertThat(alerts.rules()).extracting(AlertRules.Rule::name).containsExactlyElementsOf(expected.keySet());
        expected.forEach((name, want) -> {
            AlertRules.Rule rule = alerts.named(name);
            assertThat(rule.forDuration()).as(name).isEqualTo(want.forDuration());
            assertThat(rule.severity()).as(name).isEqualTo(want.severity());
            assertThat(rule.expr()).as(name).endsWith(want.exprEnd());
        });
        assertThat(alerts.named("WorkerHighTaskLatency").expr()).startsWith("histogram_quantile(0.95,");
        assertThat(alerts.named("WorkerVeryHighTaskLatency").expr()).startsWith("histogram_quantile(0.99,");
        assertThat(alerts.named("WorkerHighFlowExecutionDuration").expr()).startsWith("histogram_quantile(0.95,");
    }

    @Test
    void everyMetricTheDashboardAndAlertsReadIsExportedByALiveWorker() {
        Map<String, Set<String>> namesByAsset = metricNamesByAsset();
        Set<String> exported = scrape.sampleNames();
        Set<String> missing = new TreeSet<>();
        namesByAsset.forEach((asset, names) -> names.stream().filter(name -> !exported.contains(name))
                .forEach(name -> missing.add(name + " (" + asset + ")")));

        assertThat(namesByAsset.values().stream().mapToInt(Set::size).sum()).isGreaterThan(REPORT_PANELS.size());
        assertThat(missing).as("metric names read by ops/ but absent from a live CP2 scrape").isEmpty();
    }

    @Test
    void ratesAreTakenOfCountersAndHistogramsOnlyAndPercentilesOfClassicBuckets() {
        Map<String, String> queries = new LinkedHashMap<>(dashboardQueries());
        alerts.rules().forEach(rule -> queries.put(rule.name(), rule.expr()));
        queries.forEach((where, expr) -> {
            for (String name : PromQlNames.rateArguments(expr)) {
                assertThat(familyType(name)).as(where + ": rate of " + name).isIn("counter", "histogram");
            }
            if (expr.contains("histogram_quantile")) {
                assertThat(PromQlNames.metricNames(expr)).as(where).allMatch(name -> name.endsWith("_bucket")
                        && familyType(name).equals("histogram"));
            }
        });
    }

    /** The TYPE of the family a sample name belongs to, as the live scrape declares it. */
    private String familyType(String sampleName) {
        Map<String, String> types = scrape.types();
        for (String suffix : List.of("", "_bucket", "_count", "_sum", "_total")) {
            if (sampleName.endsWith(suffix)) {
                String family = sampleName.substring(0, sampleName.length() - suffix.length());
                if (types.containsKey(family)) {
                    return types.get(family);
                }
            }
        }
        return "absent from the scrape";
    }

    private Map<String, Set<String>> metricNamesByAsset() {
        Map<String, Set<String>> names = new LinkedHashMap<>();
        dashboardQueries().forEach((where, expr) -> names.put("dashboard " + where, PromQlNames.metricNames(expr)));
        variables().stream().filter(v -> v.path("type").asText().equals("query")).forEach(v -> names.put(
                "dashboard variable " + v.path("name").asText(), PromQlNames.variableQueryNames(v.path("definition").asText())));
        alerts.rules().forEach(rule -> names.put("alert " + rule.name(), PromQlNames.metricNames(rule.expr())));
        return names;
    }

    /** Every {@code targets[].expr}, keyed by panel title and refId. */
    private Map<String, String> dashboardQueries() {
        Map<String, String> queries = new LinkedHashMap<>();
        panels().forEach(panel -> panel.path("targets").forEach(target ->
                queries.put(panel.path("title").asText() + " " + target.path("refId").asText(), target.path("expr").asText())));
        return queries;
    }

    private List<JsonNode> panels() {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panels::add);
        return panels;
    }

    private List<JsonNode> variables() {
        List<JsonNode> variables = new ArrayList<>();
        dashboard.path("templating").path("list").forEach(variables::add);
        return variables;
    }

    /** Grafana's variables replaced by what they expand to, so that Prometheus' parser can judge the rest. */
    private static String asPlainPromQl(String expr) {
        return expr.replace("$__rate_interval", "5m").replace("$instance", ".*");
    }

    private static Path home(Path relative) {
        return WorkerProcess.home().resolve(relative);
    }
}
