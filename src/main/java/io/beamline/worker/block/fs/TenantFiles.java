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
    /** Runs between the path check and the open: a test's stand-in for a process racing the step. */
    private final Runnable afterCheck;

    TenantFiles(TenantPaths paths) {
        this(paths, () -> { });
    }

    TenantFiles(TenantPaths paths, Runnable afterCheck) {
        this.paths = paths;
        this.afterCheck = afterCheck;
    }

    /**
     * Where the job's path really leads; open through the result, never by name. Throws
     * {@link PathRefusedException} (reported as 2003) for paths the job may not use.
     */
    TenantPaths.Located locate(String tenantId, String jobPath) throws IOException {
        TenantPaths.Located located = paths.locate(tenantId, jobPath);  // reserved temp-file names are refused there
        afterCheck.run();
        return located;
    }

    Path dataDir() {
        return paths.dataDir();
    }
}
