package io.beamline.worker.block.fs;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.TempFiles;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.FsDeleteJob;
import io.beamline.worker.contract.FsGetJob;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.Job;
import java.io.IOException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The filesystem blocks of SPEC §4.2 ({@code fs.put}, {@code fs.get}, {@code fs.delete}; the
 * {@code fs.blob_*} aliases map to them), sharing one configuration, one tenant confinement and
 * one timeout scheduler. Create once per worker; {@link #close()} stops the scheduler this
 * instance created. At start-up, {@link #removeOrphanedTempFiles()} collects the temporary files
 * of writes that a killed process never finished. Thread-safe.
 */
public final class FsBlocks implements AutoCloseable {
    private final FsPutBlock put;
    private final FsGetBlock get;
    private final FsDeleteBlock delete;
    private final TenantFiles files;
    private final TempFiles tempFiles;
    /** The scheduler this instance created and must stop; absent when none was needed or one was given. */
    private final ScheduledExecutorService ownedScheduler;

    private FsBlocks(FsConfig config, TenantPaths paths, Timeouts timeouts, ScheduledExecutorService ownedScheduler) {
        this(config, new TenantFiles(paths), timeouts, ownedScheduler);
    }

    private FsBlocks(FsConfig config, TenantFiles files, Timeouts timeouts, ScheduledExecutorService ownedScheduler) {
        this.files = files;
        this.tempFiles = new TempFiles();
        this.put = new FsPutBlock(config, files, new AtomicWrite(tempFiles), timeouts);
        this.get = new FsGetBlock(config, files, timeouts);
        this.delete = new FsDeleteBlock(config, files, timeouts);
        this.ownedScheduler = ownedScheduler;
    }

    /** Blocks with their own timeout scheduler (one daemon thread, only when timeouts are on). */
    public static FsBlocks create(FsConfig config, TenantPaths paths) {
        if (!config.operationTimeouts()) {
            return new FsBlocks(config, paths, Timeouts.off(), null);
        }
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("fs-timeouts").daemon().factory());
        // most deadlines are cancelled long before they fire; don't keep them queued until then
        scheduler.setRemoveOnCancelPolicy(true);
        // A deadline that becomes the head of the timer's queue wakes its thread; with fast
        // operations the queue is mostly empty, so nearly every one did (a wake-up per ~12
        // steps, ~10 % of a real fs.get's throughput). A no-op tick at least as frequent as the
        // shortest limit stays ahead of every new deadline: the thread wakes once per tick.
        long tickMillis = Math.max(1, Math.min(config.readTimeout().toMillis(),
                Math.min(config.writeTimeout().toMillis(), config.deleteTimeout().toMillis())));
        scheduler.scheduleAtFixedRate(() -> { }, tickMillis, tickMillis, TimeUnit.MILLISECONDS);
        return new FsBlocks(config, paths, Timeouts.on(scheduler), scheduler);
    }

    /** Blocks whose deadlines run on {@code timeoutScheduler}, which the caller owns. */
    public static FsBlocks create(FsConfig config, TenantPaths paths, ScheduledExecutorService timeoutScheduler) {
        Timeouts timeouts = config.operationTimeouts() ? Timeouts.on(timeoutScheduler) : Timeouts.off();
        return new FsBlocks(config, paths, timeouts, null);
    }

    /** Blocks over {@code files} without operation timeouts: tests hook in between the path check and the open. */
    static FsBlocks over(FsConfig config, TenantFiles files) {
        return new FsBlocks(config, files, Timeouts.off(), null);
    }

    public Block<FsPutJob> put() {
        return put;
    }

    public Block<FsGetJob> get() {
        return get;
    }

    public Block<FsDeleteJob> delete() {
        return delete;
    }

    /** Registers the three blocks under their canonical types. */
    public BlockRegistry.Builder registerInto(BlockRegistry.Builder registry) {
        return registry.register(Job.FS_PUT, put).register(Job.FS_GET, get).register(Job.FS_DELETE, delete);
    }

    /**
     * Deletes temporary files under the data directory whose writer is gone (a process killed
     * mid-write); files that a live process is writing are kept. Walks the whole data
     * directory, so call it once at start-up, off the critical path if the directory is large.
     *
     * @return how many files were deleted
     */
    public int removeOrphanedTempFiles() throws IOException {
        return tempFiles.removeOrphans(files.dataDir());
    }

    @Override
    public void close() {
        if (ownedScheduler != null) {
            ownedScheduler.shutdownNow();
        }
    }
}
