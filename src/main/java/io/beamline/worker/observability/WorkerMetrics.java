package io.beamline.worker.observability;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Rejection;
import io.beamline.worker.contract.ResourcePool;
import io.beamline.worker.contract.StepStatus;
import io.beamline.worker.runtime.StepListener;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Labels;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The worker's Prometheus metrics (SPEC §6), fed by step events as a {@link StepListener}.
 * Cardinality policy: labels are block type, status, error code, resource pool and reason;
 * {@code tenant_id} only when the operator enables it; run, flow, step and assignment ids never
 * (they belong to traces; the trace id is attached to the latency histograms as an exemplar).
 * Thread-safe.
 *
 * <p>Gauges that mirror state elsewhere (queues, health, breakers) are registered by the
 * composition root through {@link #gauge}, read at scrape time.
 */
public final class WorkerMetrics implements StepListener {
    private static final double[] LATENCY_MS_BUCKETS = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000};
    private static final double[] SECONDS_BUCKETS = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};
    private static final double[] FLOW_SECONDS_BUCKETS = {0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
    private static final int MAX_TRACKED_FLOWS = 100_000;
    private static final String TRACE_ID = "trace_id";
    /** How often one step type offers an exemplar at most (see TypePoints#exemplar). */
    private static final long EXEMPLAR_OFFER_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final PrometheusRegistry registry;
    private final boolean cp2;
    private final boolean tenantLabel;
    private final Counter tasks;
    private final Histogram taskLatency;
    private final Counter stepExecutions;
    private final Histogram stepDuration;
    private final Counter stepErrors;
    private final Histogram flowDuration;
    private final Counter retries;
    private final Counter timeouts;
    private final Counter rejections;
    private final Counter deadLetters;
    private final Counter breakerTransitions;
    private final Map<String, Long> flowStarts = new LinkedHashMap<>(1024, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > MAX_TRACKED_FLOWS;
        }
    };

    /** {@code cp2}: CP2_OBSERVABILITY_METRICS_ENABLED; {@code tenantLabel}: add tenant_id to step series. */
    public WorkerMetrics(PrometheusRegistry registry, boolean cp2, boolean tenantLabel) {
        this.registry = registry;
        this.cp2 = cp2;
        this.tenantLabel = tenantLabel;
        tasks = Counter.builder().name(MetricNames.TASKS).help("Finished steps by block type and final status")
                .labelNames("type", "status").register(registry);
        taskLatency = Histogram.builder().name(MetricNames.TASK_LATENCY_MS).help("Step execution time in milliseconds, retries included")
                .unit(null).classicOnly().classicUpperBounds(LATENCY_MS_BUCKETS).labelNames("type").register(registry);
        retries = Counter.builder().name(MetricNames.STEP_RETRIES).help("Attempts beyond the first")
                .labelNames("step_type", "resource_pool").register(registry);
        timeouts = Counter.builder().name(MetricNames.STEP_TIMEOUTS).help("Steps that ended with status timeout")
                .labelNames("step_type", "resource_pool").register(registry);
        rejections = Counter.builder().name(MetricNames.REJECTIONS).help("Assignments rejected, by reason")
                .labelNames("reason").register(registry);
        deadLetters = Counter.builder().name(MetricNames.DEAD_LETTERS).help("Messages published to the dead-letter subject, by reason")
                .labelNames("reason").register(registry);
        breakerTransitions = Counter.builder().name(MetricNames.BREAKER_TRANSITIONS).help("Circuit breaker state changes, by new state")
                .labelNames("state").register(registry);
        String[] stepLabels = tenantLabel
                ? new String[] {"step_type", "execution_status", "resource_pool", "tenant_id"}
                : new String[] {"step_type", "execution_status", "resource_pool"};
        // SPEC §6 names step_type, execution_status, error_code and resource_pool for every family
        String[] errorLabels = tenantLabel
                ? new String[] {"step_type", "execution_status", "error_code", "resource_pool", "tenant_id"}
                : new String[] {"step_type", "execution_status", "error_code", "resource_pool"};
        stepExecutions = cp2 ? Counter.builder().name(MetricNames.STEP_EXECUTIONS).help("Step executions by type and status")
                .labelNames(stepLabels).register(registry) : null;
        stepDuration = cp2 ? Histogram.builder().name(MetricNames.STEP_DURATION_SECONDS).help("Step execution duration")
                .classicOnly().classicUpperBounds(SECONDS_BUCKETS).labelNames(stepLabels).register(registry) : null;
        stepErrors = cp2 ? Counter.builder().name(MetricNames.STEP_ERRORS).help("Failed steps by error code")
                .labelNames(errorLabels).register(registry) : null;
        flowDuration = cp2 ? Histogram.builder().name(MetricNames.FLOW_DURATION_SECONDS)
                .help("Time from a flow's first step on this worker to each of its steps completing")
                .classicOnly().classicUpperBounds(FLOW_SECONDS_BUCKETS).register(registry) : null;
        // known series exist from the start, so rates and absent() alerts work on a fresh worker
        for (String type : java.util.Set.copyOf(io.beamline.worker.contract.Job.TYPE_NAMES.values())) {
            typePoints(type);
        }
        JvmMetrics.builder().register(registry);
        gauge(MetricNames.RESOURCE_USAGE, "Process resources: cpu_time_ms, memory_mb (heap used)", true, this::resourceUsage, "type");
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public boolean cp2() {
        return cp2;
    }

    /** Registers a gauge read at scrape time; {@code cp2Family} gauges exist only with the CP2 flag. */
    public void gauge(String name, String help, boolean always, Consumer<GaugeWithCallback.Callback> callback, String... labels) {
        if (always || cp2) {
            GaugeWithCallback.builder().name(name).help(help).labelNames(labels).callback(callback).register(registry);
        }
    }

    /** Registers a counter whose value is read at scrape time (a count kept elsewhere, such as the NATS client's). */
    public void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help).callback(cb -> cb.call(value.getAsLong())).register(registry);
    }

    public Gauge settableGauge(String name, String help) {
        return Gauge.builder().name(name).help(help).register(registry);
    }

    @Override
    public void accepted(ExecAssignment assignment) {
        if (cp2 && assignment.flowId() != null) {
            synchronized (flowStarts) {
                flowStarts.putIfAbsent(assignment.flowId(), System.nanoTime());
            }
        }
    }

    @Override
    public void started(ExecAssignment assignment, int attempt) {
        if (attempt > 1) {
            retries.labelValues(assignment.job().blockType(), assignment.pool().wireName()).inc();
        }
    }

    @Override
    public void completed(ExecAssignment assignment, ExecResult result, String traceId) {
        String type = assignment.job().blockType();
        StepStatus status = result.status();
        ResourcePool pool = assignment.pool();
        TypePoints points = typePoints(type);
        // the exemplar links a latency bucket to one step's trace (OpenMetrics scrapes show it):
        // the OpenTelemetry trace id of its sampled spans, else the wire trace_id
        Labels exemplar = points.exemplar(traceId);
        points.tasks[status.ordinal()].inc();
        observe(points.latency, result.latencyMs(), exemplar);
        if (status == StepStatus.TIMEOUT) {
            timeouts.labelValues(type, pool.wireName()).inc();
        }
        if (!cp2) {
            return;
        }
        StepPoints step = tenantLabel ? tenantStepPoints(type, status, pool, assignment.tenantId())
                : points.step(status, pool);
        step.executions().inc();
        observe(step.duration(), result.latencyMs() / 1000.0, exemplar);
        if (result.error() != null) {
            String code = String.valueOf(result.error().code().code());
            stepErrors.labelValues(tenantLabel
                    ? new String[] {type, status.wireName(), code, pool.wireName(), assignment.tenantId()}
                    : new String[] {type, status.wireName(), code, pool.wireName()}).inc();
        }
        if (assignment.flowId() != null) {
            Long started;
            synchronized (flowStarts) {
                started = flowStarts.get(assignment.flowId());
            }
            if (started != null) {
                flowDuration.observe((System.nanoTime() - started) / 1e9);
            }
        }
    }

    @Override
    public void rejected(Rejection rejection) {
        rejections.labelValues(rejection.reason().wireName()).inc();
    }

    @Override
    public void deadLettered(DeadLetter letter) {
        deadLetters.labelValues(letter.reason()).inc();
    }

    /** A circuit breaker changed state ({@code open}, {@code half_open}, {@code closed}). */
    public void breakerTransition(String state) {
        breakerTransitions.labelValues(state).inc();
    }

    /**
     * The data points of one block type, looked up once per type and then indexed by status and
     * pool: looking them up by label values (or by a concatenated key) on every step was a tenth
     * of a sandbox step.
     */
    private final ConcurrentHashMap<String, TypePoints> typePoints = new ConcurrentHashMap<>();

    private TypePoints typePoints(String type) {
        TypePoints points = typePoints.get(type);
        return points != null ? points : typePoints.computeIfAbsent(type, TypePoints::new);
    }

    /** An observation with its exemplar, or without one when {@code exemplar} is null. */
    private static void observe(DistributionDataPoint point, double value, Labels exemplar) {
        if (exemplar == null) {
            point.observe(value);
        } else {
            point.observeWithExemplar(value, exemplar);
        }
    }

    /** Baseline points of one block type, and its CP2 points made on first use. */
    private final class TypePoints {
        final CounterDataPoint[] tasks = new CounterDataPoint[StepStatus.values().length];
        final DistributionDataPoint latency;
        private final String type;
        private final AtomicReferenceArray<StepPoints> steps =
                new AtomicReferenceArray<>(StepStatus.values().length * ResourcePool.values().length);
        /** When this type next offers an exemplar (System.nanoTime); see {@link #exemplar}. */
        private volatile long nextExemplarNanos;

        TypePoints(String type) {
            this.type = type;
            this.nextExemplarNanos = System.nanoTime();  // nanoTime may be negative: 0 is no "long ago"
            for (StepStatus status : StepStatus.values()) {
                tasks[status.ordinal()] = WorkerMetrics.this.tasks.labelValues(type, status.wireName());
            }
            latency = taskLatency.labelValues(type);
        }

        /**
         * The exemplar labels for a step of this type, or null when it offers none. The client
         * takes a custom exemplar at most once per sample interval (90 ms by default) and drops
         * the others unread, but building the labels validates their name with a regular
         * expression: 2 % of the sandbox profile when every step built one. So a type offers one
         * at most every {@link #EXEMPLAR_OFFER_NANOS}; which step's trace lands in a bucket stays
         * as random as before.
         */
        Labels exemplar(String traceId) {
            if (traceId == null) {
                return null;
            }
            long now = System.nanoTime();
            if (now - nextExemplarNanos < 0) {
                return null;
            }
            nextExemplarNanos = now + EXEMPLAR_OFFER_NANOS;
            return Labels.of(TRACE_ID, traceId);
        }

        StepPoints step(StepStatus status, ResourcePool pool) {
            int index = status.ordinal() * ResourcePool.values().length + pool.ordinal();
            StepPoints points = steps.get(index);
            if (points == null) {
                // two threads may both create: labelValues returns the same data point to both
                points = new StepPoints(stepExecutions.labelValues(type, status.wireName(), pool.wireName()),
                        stepDuration.labelValues(type, status.wireName(), pool.wireName()));
                steps.set(index, points);
            }
            return points;
        }
    }

    /** The CP2 step data points of one (type, status, pool[, tenant]). */
    private record StepPoints(CounterDataPoint executions, DistributionDataPoint duration) {
    }

    private StepPoints tenantStepPoints(String type, StepStatus status, ResourcePool pool, String tenant) {
        String[] labels = labels(type, status.wireName(), pool.wireName(), tenant);
        return new StepPoints(stepExecutions.labelValues(labels), stepDuration.labelValues(labels));
    }

    private String[] labels(String type, String second, String pool, String tenant) {
        return tenantLabel ? new String[] {type, second, pool, tenant} : new String[] {type, second, pool};
    }

    private void resourceUsage(GaugeWithCallback.Callback callback) {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            callback.call(sun.getProcessCpuTime() / 1e6, "cpu_time_ms");
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        callback.call(heap.getUsed() / (1024.0 * 1024.0), "memory_mb");
    }
}
