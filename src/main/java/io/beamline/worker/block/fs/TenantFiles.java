package io.beamline.worker.block.fs;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.block.TenantPaths.PathRefusedException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The files a job may name: {@link TenantPaths} confinement to the tenant's root, minus the
 * names reserved for the worker's own temporary files. Thread-safe.
 */
final class TenantFiles {
    private final TenantPaths paths;

    TenantFiles(TenantPaths paths) {
        this.paths = paths;
    }

    /** Throws {@link PathRefusedException} (reported as 2003) for paths the job may not use. */
    Path resolve(String tenantId, String jobPath) throws IOException {
        Path file = paths.resolve(tenantId, jobPath);
        if (TempFiles.isReserved(file)) {
            throw new PathRefusedException("file names starting with " + TempFiles.PREFIX + " are reserved for the worker");
        }
        return file;
    }

    Path dataDir() {
        return paths.dataDir();
    }
}
