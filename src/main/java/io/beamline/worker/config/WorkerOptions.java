package io.beamline.worker.config;

import io.beamline.worker.resilience.Jitter;
import io.beamline.worker.resilience.ResilienceConfig;
import io.beamline.worker.runtime.QuotaConfig;
import io.beamline.worker.runtime.SchedulingMode;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import picocli.CommandLine.Option;

/**
 * The worker's options (SPEC §8), shared by {@code serve} and {@code run} as a picocli mixin.
 * Each option has an environment variable; the flag wins over the environment, which wins over
 * the default. {@link #toConfig} resolves and validates them into a {@link WorkerConfig}.
 */
public final class WorkerOptions {

    @Option(names = "--worker-id", paramLabel = "ID",
            description = "Identity of this worker in results, dead letters and traces (env WORKER_ID; default: host-pid-random).")
    String workerId;

    @Option(names = "--cpu-pool-size", paramLabel = "N",
            description = "Concurrent steps in the cpu pool, on platform threads (env WORKER_CPU_POOL_SIZE; default: number of cores).")
    Integer cpuPoolSize;

    @Option(names = "--gpu-pool-size", paramLabel = "N",
            description = "Concurrent steps in the gpu pool (env WORKER_GPU_POOL_SIZE; default: 1).")
    Integer gpuPoolSize;

    @Option(names = "--io-pool-size", paramLabel = "N",
            description = "Concurrent steps in the io pool, on virtual threads (env WORKER_IO_POOL_SIZE; default: 16).")
    Integer ioPoolSize;

    @Option(names = "--max-memory-mb", paramLabel = "MB",
            description = "Memory budget of the process: bin/beamline-worker gives the heap 3/4 of it and queued work may use 1/4; beyond that admission refuses with 4002 (env WORKER_MAX_MEMORY_MB; default: 1024).")
    Integer maxMemoryMb;

    @Option(names = "--max-cpu-time-ms", paramLabel = "MS",
            description = "CPU time one tenant's steps may use per quota window (env WORKER_MAX_CPU_TIME_MS; default: 7200000).")
    Long maxCpuTimeMs;

    @Option(names = "--nats-url", paramLabel = "URL[,URL...]",
            description = "NATS server(s), comma-separated for a cluster (env NATS_URL; default: nats://localhost:4222).")
    String natsUrl;

    @Option(names = "--prometheus-endpoint", paramLabel = "HOST:PORT",
            description = "Where GET /metrics is served (env PROMETHEUS_ENDPOINT; default: 0.0.0.0:9092).")
    String prometheusEndpoint;

    @Option(names = "--health-endpoint", paramLabel = "HOST:PORT",
            description = "Where /_health, the approval API and /assignments/{id} are served (env WORKER_HEALTH_ENDPOINT; default: 0.0.0.0:9091).")
    String healthEndpoint;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Root of the per-tenant data directories and embedded databases (env WORKER_DATA_DIR; default: ./data).")
    String dataDir;

    @Option(names = "--max-queue-size", paramLabel = "N",
            description = "Per-pool queue bound when CP2_QUEUE_MANAGEMENT_ENABLED is on (env WORKER_MAX_QUEUE_SIZE; default: 1000).")
    Integer maxQueueSize;

    @Option(names = "--queue-policy", paramLabel = "POLICY",
            description = "What a full queue does: reject_new or drop_oldest (env WORKER_QUEUE_POLICY; default: reject_new).")
    String queuePolicy;

    @Option(names = "--scheduling", paramLabel = "MODE",
            description = "How tenants share a pool: round_robin, weighted or priority (env WORKER_SCHEDULING; default: round_robin).")
    String scheduling;

    @Option(names = "--tenant-quotas", paramLabel = "FILE",
            description = "JSON file of per-tenant quotas and weights overriding the defaults below (env WORKER_TENANT_QUOTAS).")
    Path tenantQuotas;

    @Option(names = "--tenant-max-concurrent", paramLabel = "N",
            description = "Running steps per tenant and pool; 0 = unlimited (env WORKER_TENANT_MAX_CONCURRENT; default: 0).")
    Integer tenantMaxConcurrent;

    @Option(names = "--tenant-max-executions", paramLabel = "N",
            description = "Accepted steps per tenant and quota window, beyond them 2004; 0 = unlimited (env WORKER_TENANT_MAX_EXECUTIONS; default: 0).")
    Long tenantMaxExecutions;

    @Option(names = "--tenant-max-bytes-in-flight", paramLabel = "BYTES",
            description = "Payload bytes a tenant may have queued or running; 0 = unlimited (env WORKER_TENANT_MAX_BYTES_IN_FLIGHT; default: 0).")
    Long tenantMaxBytesInFlight;

    @Option(names = "--quota-window-ms", paramLabel = "MS",
            description = "Length of the quota window for executions and CPU time (env WORKER_QUOTA_WINDOW_MS; default: 60000).")
    Long quotaWindowMs;

    @Option(names = "--transport", paramLabel = "KIND",
            description = "core (queue group) or jetstream (durable consumer) (env WORKER_TRANSPORT; default: core).")
    String transport;

    @Option(names = "--intake-threads", paramLabel = "N",
            description = "Core NATS subscriptions in the queue group, each decoding and admitting on its own thread "
                    + "(env WORKER_INTAKE_THREADS; default: cores, at most 4).")
    Integer intakeThreads;

    @Option(names = "--sandbox",
            description = "Replace every block with a deterministic mock that touches nothing (env WORKER_SANDBOX_MODE).")
    boolean sandbox;

    @Option(names = "--shutdown-grace-ms", paramLabel = "MS",
            description = "How long SIGTERM waits for in-flight steps before ending them (env WORKER_SHUTDOWN_GRACE_MS; default: 30000).")
    Long shutdownGraceMs;

    @Option(names = "--retry-base-delay-ms", paramLabel = "MS",
            description = "First delay of exponential backoff (CP2_ADVANCED_RETRY_ENABLED) (env WORKER_RETRY_BASE_DELAY_MS; default: 100).")
    Long retryBaseDelayMs;

    @Option(names = "--retry-max-delay-ms", paramLabel = "MS",
            description = "Cap of one backoff delay (env WORKER_RETRY_MAX_DELAY_MS; default: 30000).")
    Long retryMaxDelayMs;

    @Option(names = "--retry-max-attempts", paramLabel = "N",
            description = "Attempts per step unless retry_config says otherwise, advanced retry only (env WORKER_RETRY_MAX_ATTEMPTS; default: 3).")
    Integer retryMaxAttempts;

    @Option(names = "--retry-jitter", paramLabel = "KIND",
            description = "Default jitter: none, full or equal (env WORKER_RETRY_JITTER; default: full).")
    String retryJitter;

    @Option(names = "--retry-budget-ratio", paramLabel = "FRACTION",
            description = "Retries to one destination may add at most this fraction to its first attempts, 0 to 10, "
                    + "beyond the 10 retries per 10 s every destination may always make (env WORKER_RETRY_BUDGET_RATIO; default: 0.2).")
    Double retryBudgetRatio;

    @Option(names = "--breaker-failure-threshold", paramLabel = "N",
            description = "Consecutive failures that open a destination's circuit breaker (env WORKER_BREAKER_FAILURE_THRESHOLD; default: 5).")
    Integer breakerFailureThreshold;

    @Option(names = "--breaker-success-threshold", paramLabel = "N",
            description = "Trial successes that close it again (env WORKER_BREAKER_SUCCESS_THRESHOLD; default: 2).")
    Integer breakerSuccessThreshold;

    @Option(names = "--breaker-delay-ms", paramLabel = "MS",
            description = "How long a breaker stays open before a trial call (env WORKER_BREAKER_DELAY_MS; default: 5000).")
    Long breakerDelayMs;

    @Option(names = "--cancel-grace-ms", paramLabel = "MS",
            description = "How long a cancelled step may take to stop by itself before it is interrupted (env WORKER_CANCEL_GRACE_MS; default: 200).")
    Long cancelGraceMs;

    @Option(names = "--metrics-tenant-label",
            description = "Add tenant_id to step metrics; mind the cardinality (env WORKER_METRICS_TENANT_LABEL).")
    boolean metricsTenantLabel;

    @Option(names = "--reject-when-circuit-open",
            description = "With CP2_CIRCUIT_BREAKER_ENABLED, refuse steps to an open destination at admission (reason circuit_open, retry_after_ms) instead of answering 2002 (env WORKER_REJECT_WHEN_CIRCUIT_OPEN).")
    boolean rejectWhenCircuitOpen;

    @Option(names = "--public-url", paramLabel = "URL",
            description = "Base URL of this worker's HTTP server as approvers reach it, for decision links (env WORKER_PUBLIC_URL; default: http://<health host>:<health port>, localhost for a wildcard host).")
    String publicUrl;

    @Option(names = "--approval-default-timeout-ms", paramLabel = "MS",
            description = "Deadline of a human.approval step without timeout_ms (env WORKER_APPROVAL_DEFAULT_TIMEOUT_MS; default: 86400000).")
    Long approvalDefaultTimeoutMs;

    @Option(names = "--approval-retention-days", paramLabel = "DAYS",
            description = "How long decided approvals and their audit trail are kept (env WORKER_APPROVAL_RETENTION_DAYS; default: 30).")
    Long approvalRetentionDays;

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nhttp.request block:%n", order = 1)
    HttpOptions http = new HttpOptions();

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%n--transport jetstream:%n", order = 4)
    JetStreamOptions jetStream = new JetStreamOptions();

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nfs.* blocks:%n", order = 3)
    FsOptions fs = new FsOptions();

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "%nsql.query block:%n", order = 2)
    SqlOptions sql = new SqlOptions();

    public WorkerConfig toConfig(Map<String, String> env) {
        Settings settings = new Settings(env);
        FeatureFlags flags = FeatureFlags.fromEnvironment(env);
        return new WorkerConfig(
                settings.text("--worker-id", workerId, "WORKER_ID", defaultWorkerId()),
                settings.integer("--cpu-pool-size", cpuPoolSize, "WORKER_CPU_POOL_SIZE", Runtime.getRuntime().availableProcessors()),
                settings.integer("--gpu-pool-size", gpuPoolSize, "WORKER_GPU_POOL_SIZE", 1),
                settings.integer("--io-pool-size", ioPoolSize, "WORKER_IO_POOL_SIZE", 16),
                settings.integer("--max-memory-mb", maxMemoryMb, "WORKER_MAX_MEMORY_MB", 1024),
                settings.longValue("--max-cpu-time-ms", maxCpuTimeMs, "WORKER_MAX_CPU_TIME_MS", 7_200_000L),
                splitUrls(settings.text("--nats-url", natsUrl, "NATS_URL", "nats://localhost:4222")),
                Endpoint.parse("--prometheus-endpoint", settings.text("--prometheus-endpoint", prometheusEndpoint, "PROMETHEUS_ENDPOINT", "0.0.0.0:9092")),
                Endpoint.parse("--health-endpoint", settings.text("--health-endpoint", healthEndpoint, "WORKER_HEALTH_ENDPOINT", "0.0.0.0:9091")),
                directory("--data-dir", settings.text("--data-dir", dataDir, "WORKER_DATA_DIR", "data")).toAbsolutePath().normalize(),
                (sql == null ? new SqlOptions() : sql).toConfig(settings),
                settings.integer("--max-queue-size", maxQueueSize, "WORKER_MAX_QUEUE_SIZE", 1000),
                settings.resolve("--queue-policy", queuePolicy, "WORKER_QUEUE_POLICY", s -> s, "reject_new").transform(
                        s -> parseEnum("--queue-policy", s, QueuePolicy.class)),
                settings.resolve("--scheduling", scheduling, "WORKER_SCHEDULING", s -> s, "round_robin").transform(
                        s -> parseEnum("--scheduling", s, SchedulingMode.class)),
                quotas(settings),
                settings.resolve("--transport", transport, "WORKER_TRANSPORT", s -> s, "core").transform(
                        s -> parseEnum("--transport", s, TransportKind.class)),
                settings.integer("--intake-threads", intakeThreads, "WORKER_INTAKE_THREADS",
                        Math.min(4, Runtime.getRuntime().availableProcessors())),
                settings.flag("--sandbox", sandbox, "WORKER_SANDBOX_MODE"),
                Duration.ofMillis(settings.longValue("--shutdown-grace-ms", shutdownGraceMs, "WORKER_SHUTDOWN_GRACE_MS", 30_000L)),
                resilience(settings),
                (http == null ? new HttpOptions() : http).toConfig(settings, flags),
                (fs == null ? new FsOptions() : fs).toConfig(settings, flags),
                (jetStream == null ? new JetStreamOptions() : jetStream).toConfig(settings),
                settings.flag("--metrics-tenant-label", metricsTenantLabel, "WORKER_METRICS_TENANT_LABEL"),
                settings.flag("--reject-when-circuit-open", rejectWhenCircuitOpen, "WORKER_REJECT_WHEN_CIRCUIT_OPEN"),
                Optional.ofNullable(settings.text("--public-url", publicUrl, "WORKER_PUBLIC_URL", null)),
                Duration.ofMillis(positive("--approval-default-timeout-ms",
                        settings.longValue("--approval-default-timeout-ms", approvalDefaultTimeoutMs, "WORKER_APPROVAL_DEFAULT_TIMEOUT_MS", 86_400_000L))),
                Duration.ofDays(positive("--approval-retention-days",
                        settings.longValue("--approval-retention-days", approvalRetentionDays, "WORKER_APPROVAL_RETENTION_DAYS", 30L))),
                flags);
    }

    private QuotaConfig quotas(Settings settings) {
        long window = settings.longValue("--quota-window-ms", quotaWindowMs, "WORKER_QUOTA_WINDOW_MS", 60_000L);
        if (window <= 0) {
            throw new ConfigException("--quota-window-ms must be > 0, got " + window);
        }
        QuotaConfig.Limits base = new QuotaConfig.Limits(
                nonNegative("--tenant-max-concurrent", settings.integer("--tenant-max-concurrent", tenantMaxConcurrent, "WORKER_TENANT_MAX_CONCURRENT", 0)),
                nonNegative("--tenant-max-executions", settings.longValue("--tenant-max-executions", tenantMaxExecutions, "WORKER_TENANT_MAX_EXECUTIONS", 0)),
                positive("--max-cpu-time-ms", settings.longValue("--max-cpu-time-ms", maxCpuTimeMs, "WORKER_MAX_CPU_TIME_MS", 7_200_000L)),
                nonNegative("--tenant-max-bytes-in-flight", settings.longValue("--tenant-max-bytes-in-flight", tenantMaxBytesInFlight, "WORKER_TENANT_MAX_BYTES_IN_FLIGHT", 0)),
                1);
        Path file = settings.resolve("--tenant-quotas", tenantQuotas, "WORKER_TENANT_QUOTAS", Path::of, null);
        return file == null ? new QuotaConfig(window, base, Map.of()) : QuotaFile.load(file, window, base);
    }

    /** A directory option's value: an empty one would have been the working directory. */
    private static Path directory(String option, String value) {
        if (value.isBlank()) {
            throw new ConfigException(option + " must name a directory, not be empty");
        }
        try {
            return Path.of(value);
        } catch (java.nio.file.InvalidPathException e) {
            throw new ConfigException(option + " is not a usable path: " + e.getReason());
        }
    }

    private static long positive(String option, long value) {
        if (value <= 0) {
            throw new ConfigException(option + " must be > 0, got " + value);
        }
        return value;
    }

    private static <N extends Number> N nonNegative(String option, N value) {
        if (value.longValue() < 0) {
            throw new ConfigException(option + " must be >= 0, got " + value);
        }
        return value;
    }

    private ResilienceConfig resilience(Settings settings) {
        ResilienceConfig d = ResilienceConfig.defaults();
        String jitter = settings.text("--retry-jitter", retryJitter, "WORKER_RETRY_JITTER", d.jitter().name());
        return new ResilienceConfig(
                Duration.ofMillis(settings.longValue("--retry-base-delay-ms", retryBaseDelayMs, "WORKER_RETRY_BASE_DELAY_MS", d.baseDelay().toMillis())),
                Duration.ofMillis(settings.longValue("--retry-max-delay-ms", retryMaxDelayMs, "WORKER_RETRY_MAX_DELAY_MS", d.maxDelay().toMillis())),
                settings.integer("--retry-max-attempts", retryMaxAttempts, "WORKER_RETRY_MAX_ATTEMPTS", d.maxAttempts()),
                Jitter.parse(jitter).orElseThrow(() -> new ConfigException("--retry-jitter must be none, full or equal, got \"" + jitter + "\"")),
                settings.resolve("--retry-budget-ratio", retryBudgetRatio, "WORKER_RETRY_BUDGET_RATIO", Double::parseDouble, d.retryBudgetRatio()),
                d.minRetriesPerWindow(),
                settings.integer("--breaker-failure-threshold", breakerFailureThreshold, "WORKER_BREAKER_FAILURE_THRESHOLD", d.breakerFailures()),
                settings.integer("--breaker-success-threshold", breakerSuccessThreshold, "WORKER_BREAKER_SUCCESS_THRESHOLD", d.breakerSuccesses()),
                Duration.ofMillis(settings.longValue("--breaker-delay-ms", breakerDelayMs, "WORKER_BREAKER_DELAY_MS", d.breakerDelay().toMillis())),
                Duration.ofMillis(settings.longValue("--cancel-grace-ms", cancelGraceMs, "WORKER_CANCEL_GRACE_MS", d.cancelGrace().toMillis())));
    }

    private static List<String> splitUrls(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static <E extends Enum<E>> E parseEnum(String option, String text, Class<E> type) {
        try {
            return Enum.valueOf(type, text.toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(option + " must be one of " + Arrays.toString(type.getEnumConstants()) + ", got \"" + text + "\"");
        }
    }

    /** host-pid-random, as --help says: the host first, so the ids of one machine sort together. */
    static String defaultWorkerId() {
        String name = ManagementFactory.getRuntimeMXBean().getName();  // "pid@host"
        int at = name.indexOf('@');
        String host = at >= 0 ? name.substring(at + 1) : "host";
        return host + "-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
