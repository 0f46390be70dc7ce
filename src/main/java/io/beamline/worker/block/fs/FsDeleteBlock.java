package io.beamline.worker.block.fs;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.block.TenantPaths.PathRefusedException;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.FsDeleteJob;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * {@code fs.delete}: removes a file inside the tenant's root, durably (the directory is fsynced).
 * Idempotent: a missing file is a success with {@code deleted: false}, so a retried delete does
 * not fail. Directories are refused. A symbolic link is removed itself, never what it points to.
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
                Path file = located.path();
                // the walk's last lstat is this very question; asked again only when it has no answer
                BasicFileAttributes attributes = located.attributes();
                if (attributes == null) {
                    try {
                        attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    } catch (NoSuchFileException e) {
                        return FsOutcomes.succeeded(deleted(job, false, 0), started);
                    }
                }
                if (attributes.isDirectory() || attributes.isOther()) {
                    String kind = attributes.isDirectory() ? "a directory" : "a FIFO, socket or device";
                    return FsOutcomes.failed(ErrorCode.EXECUTION_FAILED,
                            "\"" + job.path() + "\" is " + kind + "; fs.delete removes files only",
                            FsOutcomes.details(job.path()), started);
                }
                deadline.check();
                boolean deleted = Files.deleteIfExists(file);
                if (deleted) {
                    Durability.syncDirectory(file.getParent(), deadline);
                }
                return FsOutcomes.succeeded(deleted(job, deleted, deleted ? attributes.size() : 0), started);
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
