package io.beamline.worker.config;

import io.beamline.worker.block.fs.FsConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of the {@code fs.*} blocks (SPEC §4.2), a picocli argument group of {@link WorkerOptions}. */
public final class FsOptions {

    @Option(names = "--fs-max-write-bytes", paramLabel = "BYTES",
            description = "Largest file fs.put writes (env WORKER_FS_MAX_WRITE_BYTES; default: 67108864).")
    Long maxWriteBytes;

    @Option(names = "--fs-max-inline-bytes", paramLabel = "BYTES",
            description = "Largest content fs.get returns inline, counted as sent (JSON text or base64); larger files answer "
                    + "with path, size and sha256; 0 = never inline (env WORKER_FS_MAX_INLINE_BYTES; default: 983040).")
    Long maxInlineBytes;

    @Option(names = "--fs-read-timeout-ms", paramLabel = "MS",
            description = "fs.get timeout with CP2_COMPLETE_TIMEOUT_ENABLED (env WORKER_FS_READ_TIMEOUT_MS; default: 5000).")
    Long readTimeoutMs;

    @Option(names = "--fs-write-timeout-ms", paramLabel = "MS",
            description = "fs.put timeout with CP2_COMPLETE_TIMEOUT_ENABLED (env WORKER_FS_WRITE_TIMEOUT_MS; default: 10000).")
    Long writeTimeoutMs;

    @Option(names = "--fs-delete-timeout-ms", paramLabel = "MS",
            description = "fs.delete timeout with CP2_COMPLETE_TIMEOUT_ENABLED (env WORKER_FS_DELETE_TIMEOUT_MS; default: 3000).")
    Long deleteTimeoutMs;

    FsConfig toConfig(Settings settings, FeatureFlags flags) {
        FsConfig d = FsConfig.defaults(flags.completeTimeout());
        return new FsConfig(
                settings.longValue("--fs-max-write-bytes", maxWriteBytes, "WORKER_FS_MAX_WRITE_BYTES", d.maxWriteBytes()),
                settings.longValue("--fs-max-inline-bytes", maxInlineBytes, "WORKER_FS_MAX_INLINE_BYTES", d.maxInlineBytes()),
                flags.completeTimeout(),
                Duration.ofMillis(settings.longValue("--fs-read-timeout-ms", readTimeoutMs, "WORKER_FS_READ_TIMEOUT_MS", d.readTimeout().toMillis())),
                Duration.ofMillis(settings.longValue("--fs-write-timeout-ms", writeTimeoutMs, "WORKER_FS_WRITE_TIMEOUT_MS", d.writeTimeout().toMillis())),
                Duration.ofMillis(settings.longValue("--fs-delete-timeout-ms", deleteTimeoutMs, "WORKER_FS_DELETE_TIMEOUT_MS", d.deleteTimeout().toMillis())));
    }
}
