package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The metric-name finder that OpsAssetsIT relies on: what it must find and what it must ignore. */
class PromQlNamesTest {

    @Test
    void findsHistogramBucketsAndCountersExactlyAsWritten() {
        String expr = "histogram_quantile(0.95, sum by (step_type, le) (rate(worker_step_execution_duration_seconds_bucket"
                + "{instance=~\"$instance\"}[$__rate_interval]))) / sum(rate(worker_tasks_total[5m]))";

        assertThat(PromQlNames.metricNames(expr))
                .containsExactly("worker_step_execution_duration_seconds_bucket", "worker_tasks_total");
        assertThat(PromQlNames.rateArguments(expr))
                .containsExactly("worker_step_execution_duration_seconds_bucket", "worker_tasks_total");
    }

    @Test
    void labelNamesInMatchersAndGroupingClausesAreNotMetrics() {
        String expr = "sum without (worker_id) (worker_active_tasks{worker_pool=\"io\", le!=\"worker_fake\"}) "
                + "* on (instance) group_left (version) jvm_runtime_info > bool 5e2 offset 5m";

        assertThat(PromQlNames.metricNames(expr)).containsExactly("worker_active_tasks", "jvm_runtime_info");
    }

    @Test
    void aBareSelectorWithAComparisonIsFound() {
        assertThat(PromQlNames.metricNames("worker_nats_connected == 0")).containsExactly("worker_nats_connected");
    }

    @Test
    void aMisspelledFamilyNameIsReportedAsWritten() {
        assertThat(PromQlNames.metricNames("rate(worker_tasks[5m])")).containsExactly("worker_tasks");
    }

    @Test
    void aGrafanaVariableQueryNamesItsMetric() {
        assertThat(PromQlNames.variableQueryNames("label_values(worker_health_status, instance)"))
                .containsExactly("worker_health_status");
    }
}
