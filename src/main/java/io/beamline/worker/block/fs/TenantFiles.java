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
        return locate(tenantId, jobPath).path();
    }

    /** {@link #resolve}, with the file's attributes when {@link TenantPaths#locate} has them. */
    TenantPaths.Located locate(String tenantId, String jobPath) throws IOException {
        TenantPaths.Located located = paths.locate(tenantId, jobPath);
        if (TempFiles.isReserved(located.path())) {
            throw new PathRefusedException("file names starting with " + TempFiles.PREFIX + " are reserved for the worker");
        }
        return located;
    }

    Path dataDir() {
        return paths.dataDir();
    }
}
