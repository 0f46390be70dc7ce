package io.beamline.worker.block.fs;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;

/**
 * Configuration of the {@code fs.*} blocks (SPEC §4.2, §5). The compact constructor rejects
 * unusable values with a message naming the command-line option. Immutable.
 *
 * @param maxWriteBytes largest content {@code fs.put} accepts (decoded bytes)
 * @param maxInlineBytes largest content {@code fs.get} returns inline, counted as sent (JSON text
 *     or base64); larger files are answered with size and SHA-256 only (0: never inline)
 * @param operationTimeouts whether the read/write/delete time limits apply
 *     ({@code CP2_COMPLETE_TIMEOUT_ENABLED})
 * @param readTimeout limit of one {@code fs.get}
 * @param writeTimeout limit of one {@code fs.put}, fsyncs included
 * @param deleteTimeout limit of one {@code fs.delete}, fsync of the directory included
 */
public record FsConfig(
        long maxWriteBytes,
        long maxInlineBytes,
        boolean operationTimeouts,
        Duration readTimeout,
        Duration writeTimeout,
        Duration deleteTimeout) {

    public static final long DEFAULT_MAX_WRITE_BYTES = 64L * 1024 * 1024;
    /** 960 KiB: the content and the result around it fit one message of a default NATS server (1 MiB). */
    public static final long DEFAULT_MAX_INLINE_BYTES = 960L * 1024;
    /** Contents live in one byte array, so neither limit can exceed what an array can hold. */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 8;

    public FsConfig {
        requireRange("--fs-max-write-bytes", maxWriteBytes, 1);
        requireRange("--fs-max-inline-bytes", maxInlineBytes, 0);
        requirePositive("--fs-read-timeout-ms", readTimeout);
        requirePositive("--fs-write-timeout-ms", writeTimeout);
        requirePositive("--fs-delete-timeout-ms", deleteTimeout);
    }

    /** Production defaults: 64 MiB writes, 960 KiB inline reads, read 5 s, write 10 s, delete 3 s. */
    public static FsConfig defaults(boolean operationTimeouts) {
        return new FsConfig(DEFAULT_MAX_WRITE_BYTES, DEFAULT_MAX_INLINE_BYTES, operationTimeouts,
                Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(3));
    }

    /** A copy with other time limits, all switched on. */
    public FsConfig withTimeouts(Duration read, Duration write, Duration delete) {
        return new FsConfig(maxWriteBytes, maxInlineBytes, true, read, write, delete);
    }

    private static void requireRange(String option, long value, long min) {
        if (value < min || value > MAX_BYTES) {
            throw new ConfigException(option + " must be between " + min + " and " + MAX_BYTES + ", got " + value);
        }
    }

    private static void requirePositive(String option, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new ConfigException(option + " must be > 0, got " + (value == null ? "nothing" : value.toMillis()));
        }
    }
}
