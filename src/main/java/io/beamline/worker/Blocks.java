package io.beamline.worker;

import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.block.fs.FsBlocks;
import org.slf4j.LoggerFactory;
import io.beamline.worker.block.human.ApprovalConfig;
import io.beamline.worker.block.human.ApprovalService;
import io.beamline.worker.block.human.ApprovalStore;
import io.beamline.worker.block.human.HumanApprovalBlock;
import io.beamline.worker.block.http.HttpBlock;
import io.beamline.worker.block.sandbox.SandboxBlocks;
import io.beamline.worker.block.sql.SqlBlock;
import io.beamline.worker.config.WorkerConfig;
import io.beamline.worker.contract.Job;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The blocks a worker runs and what they hold open: the production blocks of SPEC §4, or the
 * sandbox's deterministic stand-ins. {@code resources} are closed, in order, when the worker
 * closes; the approval service is exposed for its HTTP API and for resuming after a restart.
 */
public record Blocks(BlockRegistry registry, Optional<ApprovalService> approvals, List<AutoCloseable> resources) {

    public static Blocks of(BlockRegistry registry) {
        return new Blocks(registry, Optional.empty(), List.of());
    }

    static Blocks create(WorkerConfig config, WorkerServices services) {
        if (config.sandbox()) {
            return of(SandboxBlocks.registry(services.clock()));
        }
        List<AutoCloseable> resources = new ArrayList<>();
        TenantPaths paths = new TenantPaths(config.dataDir());
        HttpBlock http = new HttpBlock(config.http(), paths);
        resources.add(http);
        SqlBlock sql = new SqlBlock(config.sql(), paths);
        resources.add(sql);
        FsBlocks fs = FsBlocks.create(config.fs(), paths);
        resources.add(fs);
        sweepTempFiles(fs);
        ApprovalService approvals = approvals(config, services, resources);
        BlockRegistry registry = fs.registerInto(BlockRegistry.builder())
                .register(Job.HTTP_REQUEST, http)
                .register(Job.SQL_QUERY, sql)
                .register(Job.HUMAN_APPROVAL, new HumanApprovalBlock(approvals))
                .build();
        return new Blocks(registry, Optional.of(approvals), List.copyOf(resources));
    }

    /** Temp files of writes cut short by a crash are removed in the background at start. */
    private static void sweepTempFiles(FsBlocks fs) {
        Thread.ofVirtual().name("fs-temp-sweep").start(() -> {
            try {
                int removed = fs.removeOrphanedTempFiles();
                if (removed > 0) {
                    LoggerFactory.getLogger("worker").info("removed {} temp file(s) left by interrupted writes", removed);
                }
            } catch (java.io.IOException e) {
                LoggerFactory.getLogger("worker").warn("temp file sweep failed: {}", e.toString());
            }
        });
    }

    private static ApprovalService approvals(WorkerConfig config, WorkerServices services, List<AutoCloseable> resources) {
        ApprovalStore store = ApprovalStore.open(config.dataDir());
        ScheduledExecutorService deadlines = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("approval-deadlines").daemon(true).factory());
        ApprovalConfig approvalConfig = new ApprovalConfig(config.publicUrl().orElse(services.publicUrl()),
                config.approvalDefaultTimeout(), config.approvalRetention());
        ApprovalService service = ApprovalService.create(store, services.approvalNotifier(), services.clock(),
                approvalConfig, deadlines);
        resources.add(service);
        resources.add(deadlines::shutdownNow);
        resources.add(store);
        return service;
    }
}
