package io.beamline.worker.observability;

/**
 * Every metric name the worker exports, in one place (SPEC §6). The dashboard and alert rules
 * in {@code ops/} use only these; a test checks that against a live scrape.
 */
public final class MetricNames {
    // baseline families, always exported
    public static final String TASKS = "worker_tasks";                        // _total{type,status}
    public static final String TASK_LATENCY_MS = "worker_task_latency_ms";    // histogram{type}
    public static final String RESOURCE_USAGE = "worker_resource_usage";     // {type}
    public static final String POOL_QUEUE_DEPTH = "worker_pool_queue_depth"; // {pool}

    // CP2 families, with CP2_OBSERVABILITY_METRICS_ENABLED
    public static final String STEP_EXECUTIONS = "worker_step_executions";                       // _total
    public static final String STEP_DURATION_SECONDS = "worker_step_execution_duration_seconds";
    public static final String STEP_ERRORS = "worker_step_errors";                               // _total
    public static final String FLOW_DURATION_SECONDS = "worker_flow_execution_duration_seconds";
    public static final String QUEUE_DEPTH = "worker_queue_depth";
    public static final String ACTIVE_TASKS = "worker_active_tasks";
    public static final String HEALTH_STATUS = "worker_health_status";

    // operational series, always exported
    public static final String STEP_RETRIES = "worker_step_retries";                 // _total
    public static final String STEP_TIMEOUTS = "worker_step_timeouts";               // _total
    public static final String REJECTIONS = "worker_assignments_rejected";           // _total{reason}
    public static final String DEAD_LETTERS = "worker_dead_letters";                 // _total{reason}
    public static final String BREAKER_TRANSITIONS = "worker_circuit_breaker_transitions"; // _total{state}
    public static final String BREAKERS_OPEN = "worker_circuit_breakers_open";
    public static final String APPROVALS_PENDING = "worker_approvals_pending";
    public static final String NATS_CONNECTED = "worker_nats_connected";
    public static final String INTAKE_DROPPED = "worker_intake_dropped";             // _total

    private MetricNames() {
    }
}
