package io.beamline.worker.block.fs;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.block.TenantPaths.PathRefusedException;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * {@code fs.put}: writes a file inside the tenant's root, atomically and durably
 * ({@link AtomicWrite}), creating missing parent directories. Result: {@code path} as the job
 * gave it, {@code size_bytes}, {@code content_type} (the job's, else guessed from the
 * extension) and {@code sha256} of the bytes written. Thread-safe.
 */
final class FsPutBlock implements Block<FsPutJob> {
    private final FsConfig config;
    private final TenantFiles files;
    private final AtomicWrite atomicWrite;
    private final Timeouts timeouts;

    FsPutBlock(FsConfig config, TenantFiles files, AtomicWrite atomicWrite, Timeouts timeouts) {
        this.config = config;
        this.files = files;
        this.atomicWrite = atomicWrite;
        this.timeouts = timeouts;
    }

    @Override
    public Class<FsPutJob> jobType() {
        return FsPutJob.class;
    }

    @Override
    public StepResult execute(FsPutJob job, StepContext context) throws InterruptedException {
        long started = System.nanoTime();
        FsOutcomes.stopIfInterrupted();
        byte[] bytes;
        try {
            bytes = PutContent.bytes(job, config.maxWriteBytes());
        } catch (PutContent.InvalidContentException e) {
            return FsOutcomes.failed(ErrorCode.INVALID_INPUT, e.getMessage(), e.details(job.path()), started);
        }
        String sha256;
        try (OperationDeadline deadline = timeouts.start("write", config.writeTimeout())) {
            try {
                TenantPaths.Located located = files.locate(context.tenantId(), job.path());
                if (job.path().endsWith("/")) {
                    // a directory's name (once it passed confinement): writing would make a file named like it
                    return FsOutcomes.failed(ErrorCode.INVALID_INPUT, "fs.put needs a file's path, got a directory's: " + job.path(),
                            java.util.Map.of("path", job.path()), started);
                }
                try (ConfinedDirectory directory = located.openEntryDirectoryCreating(
                        parent -> Durability.syncDirectory(parent, deadline))) {
                    if (isSpecialFile(directory, located.entryName())) {
                        return FsOutcomes.failed(ErrorCode.EXECUTION_FAILED, "\"" + job.path()
                                + "\" is a FIFO, socket or device; fs.put replaces regular files only", FsOutcomes.details(job.path()), started);
                    }
                    sha256 = atomicWrite.replace(directory, located.entryName(), bytes, deadline);
                }
            } catch (PathRefusedException e) {
                return FsOutcomes.refused(job.path(), e.getMessage(), started);
            } catch (IOException e) {
                return FsOutcomes.ioFailure(e, "write", job.path(), deadline, started);
            }
        }
        String contentType = job.contentType() != null ? job.contentType() : ContentTypes.guess(job.path());
        FsOutput output = new FsOutput(job.path(), (long) bytes.length, contentType, null, null, sha256, null);
        return FsOutcomes.succeeded(output, started);
    }

    /** Whether a FIFO, socket or device is at {@code name} (nothing there: false); the rename would silently replace it. */
    private static boolean isSpecialFile(ConfinedDirectory directory, Path name) throws IOException {
        return directory.attributes(name).map(BasicFileAttributes::isOther).orElse(false);
    }
}
