package io.beamline.worker.block.fs;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.block.TenantPaths.PathRefusedException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The files a job may name: {@link TenantPaths} confinement to the tenant's root (which also
 * refuses the names reserved for the worker's own temporary files). Thread-safe.
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
        return paths.locate(tenantId, jobPath);  // reserved temp-file names are refused there
    }

    Path dataDir() {
        return paths.dataDir();
    }
}
