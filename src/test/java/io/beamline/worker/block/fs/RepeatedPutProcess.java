package io.beamline.worker.block.fs;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.StepResult;
import java.nio.file.Path;

/**
 * The writer that {@link AtomicPutCrashTest} kills: in its own JVM it first removes orphaned temp
 * files, as a worker does at start-up ({@code swept N}), then overwrites one file with successive
 * versions through {@code fs.put} until it is killed ({@code wrote V} after each one).
 *
 * <p>Arguments: data directory, first version number.
 */
public final class RepeatedPutProcess {
    private RepeatedPutProcess() {
    }

    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args[0]);
        int version = Integer.parseInt(args[1]);
        try (FsBlocks blocks = FsBlocks.create(FsConfig.defaults(false), new TenantPaths(dataDir))) {
            System.out.println("swept " + blocks.removeOrphanedTempFiles());
            while (true) {
                FsPutJob job = new FsPutJob(Job.FS_PUT, CrashedWriterVersions.PATH, CrashedWriterVersions.content(version),
                        null, null, null);
                StepResult result = blocks.put().execute(job, FsJobs.context(CrashedWriterVersions.TENANT));
                if (!(result instanceof StepResult.Succeeded)) {
                    System.out.println("failed " + result);
                    System.exit(2);
                }
                System.out.println("wrote " + version);
                version++;
            }
        }
    }
}
