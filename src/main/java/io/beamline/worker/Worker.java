package io.beamline.worker;

import io.beamline.worker.config.WorkerConfig;
import io.beamline.worker.contract.ResourcePool;
import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.observability.MetricNames;
import io.beamline.worker.observability.StepLogListener;
import io.beamline.worker.observability.WorkerMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.beamline.worker.runtime.AssignmentRegistry;
import io.beamline.worker.runtime.Coordinator;
import io.beamline.worker.runtime.DeadLetters;
import io.beamline.worker.runtime.OutcomeSink;
import io.beamline.worker.runtime.Pool;
import io.beamline.worker.runtime.QueueMemory;
import io.beamline.worker.runtime.TenantQuotas;
import io.beamline.worker.config.QueuePolicy;
import io.beamline.worker.runtime.Step;
import io.beamline.worker.runtime.StepExecutor;
import io.beamline.worker.runtime.StepListener;
import io.beamline.worker.resilience.CircuitBreakers;
import io.beamline.worker.resilience.PolicyChain;
import io.beamline.worker.resilience.ResilienceConfig;
import io.beamline.worker.resilience.RetryBudget;
import io.beamline.worker.block.human.Approval;
import io.beamline.worker.block.human.ApprovalService;
import io.beamline.worker.observability.OtelStepTracer;
import io.beamline.worker.runtime.StepTracer;
import java.time.Clock;
import java.util.ArrayList;
import java.util.random.RandomGenerator;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Composition root: wires blocks, pools, the executor and admission for one worker process,
 * whatever the transport, and owns the drain at shutdown. Transports and HTTP surfaces are
 * attached by the commands that run it. Thread-safe once created.
 */
public final class Worker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("worker");
    /** How many finished assignments are remembered for duplicate detection and status queries. */
    private static final int REMEMBER_FINISHED = 100_000;
    /** Once the grace period is over, how long interrupted steps get to report themselves. */
    private static final Duration STOP_WAIT = Duration.ofSeconds(2);

    private final WorkerConfig config;
    private final Map<ResourcePool, Pool> pools;
    private final AssignmentRegistry registry;
    private final Coordinator coordinator;
    private final HealthChecks health;
    private final WorkerMetrics metrics;
    private final Blocks blocks;

    private Worker(WorkerConfig config, Map<ResourcePool, Pool> pools, AssignmentRegistry registry,
                   Coordinator coordinator, HealthChecks health, WorkerMetrics metrics, Blocks blocks) {
        this.metrics = metrics;
        this.blocks = blocks;
        this.config = config;
        this.pools = pools;
        this.registry = registry;
        this.coordinator = coordinator;
        this.health = health;
    }

    /** Builds a worker with the blocks its configuration asks for (production or sandbox). */
    public static Worker create(WorkerConfig config, WorkerServices services) {
        return create(config, Blocks.create(config, services), services);
    }

    /**
     * Builds a worker with the blocks its configuration asks for, exporting into {@code metrics}:
     * made by {@link #createMetrics} with the services' health, and served before the worker
     * existed (serve answers scrapes while NATS is still unreachable).
     */
    public static Worker create(WorkerConfig config, WorkerServices services, WorkerMetrics metrics) {
        return create(config, Blocks.create(config, services), services, metrics);
    }

    /** Builds a worker around the given blocks (tests and tools that bring their own). */
    public static Worker create(WorkerConfig config, Blocks blocks, WorkerServices services) {
        return create(config, blocks, services, createMetrics(config, services.health()));
    }

    /**
     * The metrics of a worker of this configuration before the worker exists: the families that
     * are always there (step counters and latency at zero, process and JVM) and, with CP2
     * metrics, each of {@code health}'s checks. The worker adds its pools' gauges when created.
     */
    public static WorkerMetrics createMetrics(WorkerConfig config, HealthChecks health) {
        WorkerMetrics metrics = new WorkerMetrics(new PrometheusRegistry(), config.flags().observabilityMetrics(),
                config.metricsTenantLabel());
        metrics.gauge(MetricNames.HEALTH_STATUS, "1 when a health check passes, 0 when it fails", false,
                cb -> health.evaluate().forEach((name, check) -> cb.call(check.healthy() ? 1 : 0, name)), "check");
        return metrics;
    }

    private static Worker create(WorkerConfig config, Blocks blocks, WorkerServices services, WorkerMetrics metrics) {
        Clock clock = services.clock();
        QueueMemory memory = new QueueMemory(config.queueMemoryBytes());
        Map<ResourcePool, Pool> pools = new EnumMap<>(ResourcePool.class);
        pools.put(ResourcePool.CPU, new Pool(ResourcePool.CPU, limits(config, config.cpuPoolSize()), memory, config.quotas()));
        pools.put(ResourcePool.GPU, new Pool(ResourcePool.GPU, limits(config, config.gpuPoolSize()), memory, config.quotas()));
        pools.put(ResourcePool.IO, new Pool(ResourcePool.IO, limits(config, config.ioPoolSize()), memory, config.quotas()));
        TenantQuotas quotas = new TenantQuotas(config.quotas(), clock::millis);
        AssignmentRegistry registry = new AssignmentRegistry(REMEMBER_FINISHED);
        DeadLetters deadLetters = new DeadLetters(config.workerId(), clock, services.maxDeadLetterPayload());
        StepListener listener = StepListener.of(List.of(new StepLogListener(), metrics));
        StepTracer tracer = new OtelStepTracer(services.openTelemetry(), config.workerId());
        ResilienceConfig resilience = config.resilience();
        CircuitBreakers breakers = new CircuitBreakers(resilience, (destination, state) -> {
            log.warn("circuit breaker for {} is now {}", destination, state);
            metrics.breakerTransition(state.name().toLowerCase(java.util.Locale.ROOT));
        });
        PolicyChain policies = new PolicyChain(config.flags(), resilience, breakers,
                new RetryBudget(resilience.retryBudgetRatio(), resilience.minRetriesPerWindow(), Duration.ofSeconds(10), System::nanoTime),
                RandomGenerator.getDefault());
        OutcomeSink sink = services.sink();
        StepExecutor executor = new StepExecutor(blocks.registry(), policies, sink, deadLetters, registry, listener, clock,
                config.workerId(), quotas, tracer);
        Coordinator coordinator = new Coordinator(blocks.registry(), pools, registry, executor, sink, deadLetters, listener,
                clock, resilience.cancelGrace(), quotas, config.flags().cancellation(), config.rejectWhenCircuitOpen(), tracer);
        HealthChecks health = services.health();
        health.register("pools", () -> poolHealth(pools, config.maxQueueSize(), memory));
        registerGauges(metrics, pools, breakers, memory);
        blocks.approvals().ifPresent(approvals -> metrics.gauge(MetricNames.APPROVALS_PENDING,
                "Human approvals waiting for a decision", true, cb -> cb.call(approvals.pending(java.util.Optional.empty()).size())));
        return new Worker(config, pools, registry, coordinator, health, metrics, blocks);
    }

    /**
     * Logs that the worker takes work. Called once its intake runs, not at creation: a transport
     * that then fails to start (a server without JetStream) must not have said "ready" first.
     */
    public void announceReady() {
        log.info("worker {} ready: blocks {}, pools cpu={} gpu={} io={}{}", config.workerId(), blocks.registry().types(),
                config.cpuPoolSize(), config.gpuPoolSize(), config.ioPoolSize(), config.sandbox() ? " (sandbox mode)" : "");
    }

    /** Gauges read at scrape time from the state they describe. */
    private static void registerGauges(WorkerMetrics metrics, Map<ResourcePool, Pool> pools, CircuitBreakers breakers,
                                       QueueMemory memory) {
        metrics.gauge(MetricNames.POOL_QUEUE_DEPTH, "Steps waiting in each pool's queue", true,
                cb -> pools.forEach((kind, pool) -> cb.call(pool.queueDepth(), kind.wireName())), "pool");
        metrics.gauge(MetricNames.QUEUE_DEPTH, "Steps waiting in each resource pool", false,
                cb -> pools.forEach((kind, pool) -> cb.call(pool.queueDepth(), kind.wireName())), "resource_pool");
        metrics.gauge(MetricNames.ACTIVE_TASKS, "Steps running in each resource pool", false,
                cb -> pools.forEach((kind, pool) -> cb.call(pool.activeCount(), kind.wireName())), "resource_pool");
        metrics.gauge(MetricNames.BREAKERS_OPEN, "Destinations whose circuit breaker is open", true,
                cb -> cb.call(breakers.openCount()));
        metrics.gauge(MetricNames.RESOURCE_USAGE + "_queued_bytes", "Estimated heap held by queued steps", true,
                cb -> cb.call(memory.usedBytes()));
    }

    /** Pool bounds: the queue is bounded only under CP2_QUEUE_MANAGEMENT_ENABLED (SPEC §5). */
    private static Pool.Limits limits(WorkerConfig config, int concurrency) {
        boolean bounded = config.flags().queueManagement();
        return new Pool.Limits(concurrency, bounded ? config.maxQueueSize() : 0,
                bounded && config.queuePolicy() == QueuePolicy.drop_oldest, config.scheduling());
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    /** The pools by kind (read-only): their running and queued steps, for status and tests. */
    public Map<ResourcePool, Pool> pools() {
        return java.util.Collections.unmodifiableMap(pools);
    }

    public AssignmentRegistry registry() {
        return registry;
    }

    /** The approval service, when the human.approval block is the real one. */
    public java.util.Optional<ApprovalService> approvals() {
        return blocks.approvals();
    }

    /**
     * Resumes the steps that were waiting for approval when the previous process stopped; each
     * publishes its one result when decided (no second ack). Call once the transport is up.
     */
    public void resumePendingApprovals() {
        blocks.approvals().ifPresent(approvals -> {
            var pending = approvals.pendingAssignments();
            // the approval's id is its assignment's; its creation is when the step was accepted
            pending.forEach(assignment -> coordinator.resume(assignment,
                    approvals.find(assignment.assignmentId()).map(Approval::createdAt)));
            if (!pending.isEmpty()) {
                log.info("resumed {} step(s) waiting for approval", pending.size());
            }
        });
    }

    public WorkerMetrics metrics() {
        return metrics;
    }

    public HealthChecks health() {
        return health;
    }

    /**
     * Graceful stop: refuse new work, give in-flight steps {@code grace} to finish, then stop
     * the rest so each still publishes its one final result (a retryable error for work cut
     * short). Returns when every accepted step has a result or the wait is exhausted.
     */
    public void drain(Duration grace) throws InterruptedException {
        coordinator.startDraining(grace);
        log.info("draining: {} step(s) in flight, grace {} ms", registry.inFlightCount(), grace.toMillis());
        // Steps waiting for people are durable: close the service so their approvals stay
        // pending, stop the steps without a result, and let the next process resume them.
        blocks.approvals().ifPresent(ApprovalService::close);
        for (Step step : registry.inFlightSteps()) {
            // Waiting approvals stop now; so do queued steps a transport can give back (JetStream):
            // another worker starts them sooner than this one would.
            boolean queuedAndReturnable = step.state() == Step.State.QUEUED && step.handsBack();
            if (step.assignment().job() instanceof io.beamline.worker.contract.HumanApprovalJob || queuedAndReturnable) {
                coordinator.stop(step, Step.StopReason.SHUTDOWN, Duration.ZERO);
            }
        }
        if (registry.awaitIdle(grace)) {
            return;
        }
        for (Step step : registry.inFlightSteps()) {
            coordinator.stop(step, Step.StopReason.SHUTDOWN, Duration.ZERO);
        }
        if (!registry.awaitIdle(STOP_WAIT)) {
            log.warn("{} step(s) did not stop in time", registry.inFlightCount());
        }
    }

    @Override
    public void close() {
        pools.values().forEach(Pool::close);
        for (AutoCloseable resource : blocks.resources()) {
            try {
                resource.close();
            } catch (Exception e) {
                log.warn("closing {} failed: {}", resource.getClass().getSimpleName(), e.toString());
            }
        }
    }

    /**
     * Overloaded when a pool's queue reaches {@code --max-queue-size} (bounded or not) or queued
     * work fills 90% of its memory budget: the worker is then refusing work (SPEC §6 saturation).
     */
    private static HealthChecks.Check poolHealth(Map<ResourcePool, Pool> pools, int saturationThreshold, QueueMemory memory) {
        StringBuilder saturated = new StringBuilder();
        if (memory.usedBytes() >= memory.limitBytes() * 0.9) {
            saturated.append("queued work at ").append(memory.usedBytes() * 100 / memory.limitBytes()).append("% of its memory budget ");
        }
        pools.forEach((kind, pool) -> {
            if (pool.queueDepth() >= saturationThreshold) {
                saturated.append(kind.wireName()).append(" queue ").append(pool.queueDepth()).append(' ');
            }
        });
        return saturated.isEmpty()
                ? HealthChecks.Check.ok("no pool saturated")
                : HealthChecks.Check.failing("saturated: " + saturated.toString().trim());
    }
}
