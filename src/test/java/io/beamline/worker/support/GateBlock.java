package io.beamline.worker.support;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.FsGetJob;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.StepResult;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;

/**
 * A block for runtime tests (scheduling, queues, quotas): each {@code fs.get} step waits until
 * the test lets it through, and the order in which steps started is recorded. It stands in for
 * no outside system: it only makes the worker's own scheduling observable. Thread-safe.
 */
public final class GateBlock implements Block<FsGetJob> {
    private final Semaphore permits = new Semaphore(0);
    public final List<String> started = new CopyOnWriteArrayList<>();
    /** When each step started ({@code System.nanoTime()}), by "tenant:path". */
    public final java.util.Map<String, Long> startedAt = new java.util.concurrent.ConcurrentHashMap<>();

    public BlockRegistry registry() {
        return BlockRegistry.builder().register(Job.FS_GET, this).build();
    }

    /** Lets {@code steps} more steps finish. */
    public void release(int steps) {
        permits.release(steps);
    }

    public void openWide() {
        permits.release(1_000_000);
    }

    @Override
    public Class<FsGetJob> jobType() {
        return FsGetJob.class;
    }

    @Override
    public StepResult execute(FsGetJob job, StepContext context) throws InterruptedException {
        started.add(context.tenantId() + ":" + job.path());
        startedAt.put(context.tenantId() + ":" + job.path(), System.nanoTime());
        permits.acquire();
        return new StepResult.Succeeded(java.util.Map.of("path", job.path()), 0);
    }
}
