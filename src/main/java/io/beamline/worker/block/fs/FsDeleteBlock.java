package io.beamline.worker.block.fs;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.block.TenantPaths.PathRefusedException;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.FsDeleteJob;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * {@code fs.delete}: removes a file inside the tenant's root, durably (the directory is fsynced).
 * Idempotent: a missing file is a success with {@code deleted: false}, so a retried delete does
 * not fail. Directories are refused. A symbolic link is removed itself, never what it points to.
 * The file is removed relative to its directory, reached from the tenant's root without
 * following links ({@link ConfinedDirectory}), so a link swapped in after the check cannot
 * redirect the removal outside the root.
 *
 * <p>The unlink is one system call that cannot be aborted; the time limit applies before it and
 * to the directory fsync after it, so a timeout may be reported for a file that is already gone
 * (a retry then answers {@code deleted: false}). Thread-safe.
 */
final class FsDeleteBlock implements Block<FsDeleteJob> {
    private final FsConfig config;
    private final TenantFiles files;
    private final Timeouts timeouts;

    FsDeleteBlock(FsConfig config, TenantFiles files, Timeouts timeouts) {
        this.config = config;
        this.files = files;
        this.timeouts = timeouts;
    }

    @Override
    public Class<FsDeleteJob> jobType() {
        return FsDeleteJob.class;
    }

    @Override
    public StepResult execute(FsDeleteJob job, StepContext context) throws InterruptedException {
        long started = System.nanoTime();
        FsOutcomes.stopIfInterrupted();
        try (OperationDeadline deadline = timeouts.start("delete", config.deleteTimeout())) {
            try {
                TenantPaths.Located located = files.locate(context.tenantId(), job.path());
                try (ConfinedDirectory directory = located.openEntryDirectory()) {
                    Path name = located.entryName();
                    Optional<BasicFileAttributes> found = directory.attributes(name);
                    if (found.isEmpty()) {
                        return FsOutcomes.succeeded(deleted(job, false, 0), started);
                    }
                    BasicFileAttributes attributes = found.get();
                    if (attributes.isDirectory() || attributes.isOther()) {
                        String kind = attributes.isDirectory() ? "a directory" : "a FIFO, socket or device";
                        return FsOutcomes.failed(ErrorCode.EXECUTION_FAILED,
                                "\"" + job.path() + "\" is " + kind + "; fs.delete removes files only",
                                FsOutcomes.details(job.path()), started);
                    }
                    deadline.check();
                    boolean deleted = directory.deleteFileIfExists(name);
                    if (deleted) {
                        Durability.syncDirectory(directory, deadline);
                    }
                    return FsOutcomes.succeeded(deleted(job, deleted, deleted ? attributes.size() : 0), started);
                } catch (NoSuchFileException e) {
                    return FsOutcomes.succeeded(deleted(job, false, 0), started);  // a directory on the way is missing
                }
            } catch (PathRefusedException e) {
                return FsOutcomes.refused(job.path(), e.getMessage(), started);
            } catch (IOException e) {
                return FsOutcomes.ioFailure(e, "delete", job.path(), deadline, started);
            }
        }
    }

    private static FsOutput deleted(FsDeleteJob job, boolean deleted, long sizeBytes) {
        return new FsOutput(job.path(), sizeBytes, null, null, null, null, deleted);
    }
}
