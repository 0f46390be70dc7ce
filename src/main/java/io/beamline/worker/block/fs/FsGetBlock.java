package io.beamline.worker.block.fs;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.block.TenantPaths.PathRefusedException;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.FsGetJob;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.StepResult;
import io.beamline.worker.contract.Utf8;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code fs.get}: reads a regular file inside the tenant's root. Files up to the inline limit
 * come back as {@code content}: text when they are valid UTF-8, otherwise (or when the job asks
 * for {@code content_encoding: base64}) base64 with {@code content_encoding: "base64"}. Larger
 * files are described by {@code size_bytes} and {@code sha256} only. Always reports
 * {@code content_type} guessed from the extension.
 *
 * <p>Pipes, sockets and devices are refused before they are opened: opening a FIFO that has no
 * writer blocks in the kernel, and so does reading one whose writer is silent; on a virtual
 * thread neither a timeout nor an interrupt can release file IO (see {@link OperationDeadline}),
 * so each such attempt would lose a thread and its pool slot for good. Regular files never
 * block for long, so the deadline checked between chunks bounds every read.
 *
 * <p>The file is looked at and opened relative to its directory, reached from the tenant's root
 * without following links ({@link ConfinedDirectory}): a link swapped into the path after
 * {@code TenantPaths} checked it is refused (2003), never read through. Thread-safe.
 */
final class FsGetBlock implements Block<FsGetJob> {
    private final FsConfig config;
    private final TenantFiles files;
    private final Timeouts timeouts;

    FsGetBlock(FsConfig config, TenantFiles files, Timeouts timeouts) {
        this.config = config;
        this.files = files;
        this.timeouts = timeouts;
    }

    @Override
    public Class<FsGetJob> jobType() {
        return FsGetJob.class;
    }

    @Override
    public StepResult execute(FsGetJob job, StepContext context) throws InterruptedException {
        long started = System.nanoTime();
        FsOutcomes.stopIfInterrupted();
        try (OperationDeadline deadline = timeouts.start("read", config.readTimeout())) {
            try {
                TenantPaths.Located located = files.locate(context.tenantId(), job.path());
                FileContent content;
                try (ConfinedDirectory directory = located.openTargetDirectory()) {
                    Path name = located.targetName();
                    BasicFileAttributes attributes = directory.attributes(name)
                            .orElseThrow(() -> new NoSuchFileException(job.path()));
                    if (attributes.isSymbolicLink()) {
                        // the target's real path has none: one was swapped in after the check
                        return FsOutcomes.refused(job.path(), "\"" + job.path() + "\" changed into a symbolic link while it was read",
                                started);
                    }
                    if (!attributes.isRegularFile()) {
                        String kind = attributes.isDirectory() ? "a directory" : "not a regular file";
                        return FsOutcomes.failed(ErrorCode.EXECUTION_FAILED, "\"" + job.path() + "\" is " + kind,
                                FsOutcomes.details(job.path()), started);
                    }
                    try (FileChannel channel = directory.openFile(name, StandardOpenOption.READ)) {
                        deadline.watch(channel);
                        content = FileContent.read(channel, config.maxInlineBytes(), attributes.size(), deadline);
                    }
                }
                return FsOutcomes.succeeded(output(job, content, config.maxInlineBytes()), started);
            } catch (PathRefusedException e) {
                return FsOutcomes.refused(job.path(), e.getMessage(), started);
            } catch (IOException e) {
                return FsOutcomes.ioFailure(e, "read", job.path(), deadline, started);
            }
        }
    }

    /**
     * The answer: the content inline while it is at most {@code maxInlineBytes} as sent (JSON
     * text or base64), else path, size and SHA-256. Counting the bytes as sent, not the file's:
     * with the file's size a 900 KB binary file (1.2 MB in base64) passed the default limit and
     * its result was too large for any message of a default NATS server.
     */
    private static FsOutput output(FsGetJob job, FileContent content, long maxInlineBytes) {
        String contentType = ContentTypes.guess(job.path());
        Optional<byte[]> inline = content.inlineBytes();
        Optional<String> text = inline.isEmpty() || FsPutJob.BASE64.equals(job.contentEncoding())
                ? Optional.empty() : Utf8.strict(inline.get());
        long sentBytes = inline.isEmpty() ? Long.MAX_VALUE
                : text.map(FsGetBlock::jsonStringBytes).orElse(4L * ((inline.get().length + 2) / 3));
        if (sentBytes > maxInlineBytes || maxInlineBytes == 0) {  // 0: never inline, not even an empty file
            return new FsOutput(job.path(), content.sizeBytes(), contentType, null, null, content.sha256(), null);
        }
        return text
                .map(t -> new FsOutput(job.path(), content.sizeBytes(), contentType, t, null, content.sha256(), null))
                .orElseGet(() -> new FsOutput(job.path(), content.sizeBytes(), contentType,
                        Base64.getEncoder().encodeToString(inline.get()), FsPutJob.BASE64, content.sha256(), null));
    }

    /** Bytes of {@code text} as the worker's JSON writes it: UTF-8, controls and surrogates as six-byte escapes, quote and backslash escaped. */
    static long jsonStringBytes(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20) {
                bytes += c == '\n' || c == '\t' || c == '\r' || c == '\b' || c == '\f' ? 2 : 6;
            } else if (c == '"' || c == '\\') {
                bytes += 2;
            } else if (c < 0x80) {
                bytes += 1;
            } else if (Character.isSurrogate(c)) {
                bytes += 6;  // Jackson writes each half of a pair as a \\uXXXX escape: 12 bytes for one emoji
            } else if (c < 0x800) {
                bytes += 2;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
