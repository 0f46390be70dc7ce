package io.beamline.worker.config;

import io.beamline.worker.block.fs.FsConfig;
import io.beamline.worker.block.http.HttpConfig;
import io.beamline.worker.block.human.ApprovalConfig;
import io.beamline.worker.block.sql.SqlConfig;
import io.beamline.worker.resilience.ResilienceConfig;
import io.beamline.worker.transport.JetStreamConfig;
import io.beamline.worker.runtime.QuotaConfig;
import io.beamline.worker.runtime.SchedulingMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The validated configuration of one worker process (SPEC §8). Built from the command line and
 * environment by {@link WorkerOptions}; the compact constructor rejects unusable values with a
 * message that names the option, so a bad value fails at start-up. Immutable.
 */
public record WorkerConfig(
        String workerId,
        int cpuPoolSize,
        int gpuPoolSize,
        int ioPoolSize,
        int maxMemoryMb,
        long maxCpuTimeMs,
        List<String> natsUrls,
        Endpoint prometheusEndpoint,
        Endpoint healthEndpoint,
        Path dataDir,
        SqlConfig sql,
        int maxQueueSize,
        QueuePolicy queuePolicy,
        SchedulingMode scheduling,
        QuotaConfig quotas,
        TransportKind transport,
        int intakeThreads,
        boolean sandbox,
        Duration shutdownGrace,
        ResilienceConfig resilience,
        HttpConfig http,
        FsConfig fs,
        JetStreamConfig jetStream,
        boolean metricsTenantLabel,
        boolean rejectWhenCircuitOpen,
        Optional<String> publicUrl,
        Duration approvalDefaultTimeout,
        Duration approvalRetention,
        FeatureFlags flags) {

    /** Intake subscriptions beyond this only add threads: two already keep two cores busy decoding. */
    static final int MAX_INTAKE_THREADS = 64;

    public WorkerConfig {
        requireText("--worker-id", workerId);
        requirePositive("--cpu-pool-size", cpuPoolSize);
        requirePositive("--gpu-pool-size", gpuPoolSize);
        requirePositive("--io-pool-size", ioPoolSize);
        requirePositive("--max-memory-mb", maxMemoryMb);
        requirePositive("--max-cpu-time-ms", maxCpuTimeMs);
        requirePositive("--max-queue-size", maxQueueSize);
        requirePositive("--intake-threads", intakeThreads);
        if (intakeThreads > MAX_INTAKE_THREADS) {
            // each is a subscription and a thread: 100,000 took minutes to start and never stopped
            throw new ConfigException("--intake-threads must be at most " + MAX_INTAKE_THREADS + ", got " + intakeThreads);
        }
        if (natsUrls.isEmpty()) {
            throw new ConfigException("--nats-url must name at least one server");
        }
        natsUrls.forEach(WorkerConfig::checkNatsUrl);
        if (shutdownGrace.isNegative()) {
            throw new ConfigException("--shutdown-grace-ms must be >= 0, got " + shutdownGrace.toMillis());
        }
        // the approval block is built once NATS is up; its settings are checked now, with the rest
        new ApprovalConfig(publicUrl.orElse("http://localhost"), approvalDefaultTimeout, approvalRetention);
        natsUrls = List.copyOf(natsUrls);
    }

    /**
     * A NATS server URL the client can use: {@code nats://}, {@code tls://}, {@code ws://} or
     * {@code wss://}, a host, a port of 1-65535 if any. Checked here because the client parses
     * it only when it connects (a stack trace, exit 1) and keeps retrying a port it can never
     * reach (70000) for ever.
     */
    static void checkNatsUrl(String url) {
        String problem;
        try {
            java.net.URI uri = new java.net.URI(url);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
            boolean nothingElse = (uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/"))
                    && uri.getRawQuery() == null && uri.getRawFragment() == null;
            problem = !java.util.Set.of("nats", "tls", "ws", "wss").contains(scheme) ? "must be nats://host:port"
                    : uri.getHost() == null ? "must name a host (and a numeric port, if any)"
                    : uri.getPort() == 0 || uri.getPort() > 65535 ? "port must be 1-65535"
                    : !nothingElse ? "must be nats://host:port, with nothing after the port"
                    : null;
        } catch (java.net.URISyntaxException e) {
            problem = "must be nats://host:port";
        }
        if (problem != null) {
            throw new ConfigException("--nats-url " + problem + " (comma-separated for a cluster), got \"" + io.beamline.worker.contract.Redaction.withoutUserInfo(url) + "\"");
        }
    }

    /**
     * Creates the data dir when it does not exist and checks that the worker can write there, so
     * that an unusable {@code --data-dir} is a configuration error at start-up (exit 2), not a
     * failure of the first block or store that touches it.
     */
    /** What went wrong with a path, in words (the exception's class name said it to Java programmers only). */
    static String reason(Exception e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException missing -> "a directory above it does not exist or cannot hold directories ("
                    + missing.getFile() + ")";
            case java.nio.file.AccessDeniedException denied -> "permission denied (" + denied.getFile() + ")";
            case java.nio.file.FileAlreadyExistsException taken -> "a file that is not a directory is in the way (" + taken.getFile() + ")";
            case java.nio.file.FileSystemException other when other.getReason() != null -> other.getReason() + " (" + other.getFile() + ")";
            default -> String.valueOf(e.getMessage());
        };
    }

    public void prepareDataDir() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException | SecurityException e) {
            throw new ConfigException("--data-dir " + dataDir + " cannot be created: " + reason(e));
        }
        if (!Files.isDirectory(dataDir) || !Files.isWritable(dataDir)) {
            throw new ConfigException("--data-dir " + dataDir + " must be a directory this worker can write to");
        }
    }

    /**
     * Bytes that queued work may occupy: a quarter of {@code --max-memory-mb}. The heap is three
     * quarters, its old generation (fixed sizes, see bin/beamline-worker) two thirds of that,
     * i.e. half of the budget, and queued steps outlive a young collection: with half of the
     * budget for them, a burst of 500 KB assignments waiting for a busy pool filled the old
     * generation to the last byte and the process died (OutOfMemoryError) with its accepted steps.
     */
    public long queueMemoryBytes() {
        return maxMemoryMb * 1024L * 1024L / 4;
    }

    /**
     * Bytes of received, not yet handled assignments each intake may hold: an eighth of the
     * queued-work budget (jnats' own default, 64 MB, at the default --max-memory-mb), at least 1 MiB.
     */
    public long pendingBytesPerIntake() {
        return Math.max(1024L * 1024, queueMemoryBytes() / 8);
    }

    /** NATS server URLs as jnats takes them. */
    public String natsServers() {
        return String.join(",", natsUrls);
    }

    private static void requirePositive(String option, long value) {
        if (value <= 0) {
            throw new ConfigException(option + " must be > 0, got " + value);
        }
    }

    private static void requireText(String option, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException(option + " must not be empty");
        }
    }
}
