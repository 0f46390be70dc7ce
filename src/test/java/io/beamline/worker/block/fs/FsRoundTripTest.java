package io.beamline.worker.block.fs;

import static io.beamline.worker.block.fs.FsJobs.TENANT;
import static io.beamline.worker.block.fs.FsJobs.context;
import static io.beamline.worker.block.fs.FsJobs.failure;
import static io.beamline.worker.block.fs.FsJobs.get;
import static io.beamline.worker.block.fs.FsJobs.getBase64;
import static io.beamline.worker.block.fs.FsJobs.output;
import static io.beamline.worker.block.fs.FsJobs.putBytes;
import static io.beamline.worker.block.fs.FsJobs.putText;
import static io.beamline.worker.block.fs.FsJobs.sha256;
import static io.beamline.worker.block.fs.FsJobs.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsRoundTripTest {
    @TempDir
    Path dataDir;
    FsBlocks blocks;

    @BeforeEach
    void createBlocks() {
        blocks = FsBlocks.create(FsConfig.defaults(true), new TenantPaths(dataDir));
    }

    @AfterEach
    void closeBlocks() {
        blocks.close();
    }

    @Test
    void textWrittenByPutIsReadBackAsText() throws Exception {
        String text = "{\"data\":\"value\",\"note\":\"grüße ✓\"}";

        FsOutput written = output(blocks.put().execute(
                new FsPutJob(Job.FS_PUT, "/data/output.json", text, "application/json", null, null), context(TENANT)));
        FsOutput read = output(blocks.get().execute(get("/data/output.json"), context(TENANT)));

        assertThat(written.path()).isEqualTo("/data/output.json");
        assertThat(written.sizeBytes()).isEqualTo(utf8(text).length);
        assertThat(written.contentType()).isEqualTo("application/json");
        assertThat(written.sha256()).isEqualTo(sha256(utf8(text)));
        assertThat(written.content()).isNull();
        assertThat(read.content()).isEqualTo(text);
        assertThat(read.contentEncoding()).isNull();
        assertThat(read.sizeBytes()).isEqualTo(written.sizeBytes());
        assertThat(read.sha256()).isEqualTo(written.sha256());
        assertThat(read.contentType()).isEqualTo("application/json");
        assertThat(dataDir.resolve(TENANT).resolve("data/output.json")).hasContent(text);
    }

    @Test
    void aPutToADirectorysPathIsRefusedAndWritesNothing() throws Exception {
        StepResult result = blocks.put().execute(
                new FsPutJob(Job.FS_PUT, "reports/", "x", "text/plain", null, null), context(TENANT));

        assertThat(result).isInstanceOf(StepResult.Failed.class);
        assertThat(((StepResult.Failed) result).cause().code()).isEqualTo(io.beamline.worker.contract.ErrorCode.INVALID_INPUT);
        assertThat(dataDir.resolve(TENANT).resolve("reports")).doesNotExist();
    }

    @Test
    void base64ContentIsWrittenAsBytes() throws Exception {
        byte[] bytes = {0, 1, 2, (byte) 0xff, (byte) 0xfe, 10, 13};

        FsOutput written = output(blocks.put().execute(putBytes("bin/blob.dat", bytes), context(TENANT)));

        assertThat(dataDir.resolve(TENANT).resolve("bin/blob.dat")).hasBinaryContent(bytes);
        assertThat(written.sizeBytes()).isEqualTo(bytes.length);
        assertThat(written.sha256()).isEqualTo(sha256(bytes));
        assertThat(written.contentType()).isEqualTo("application/octet-stream");
    }

    @Test
    void binaryFileIsReadBackAsBase64() throws Exception {
        byte[] bytes = new byte[70_000];  // more than one chunk
        new Random(7).nextBytes(bytes);
        blocks.put().execute(putBytes("bin/random.dat", bytes), context(TENANT));

        FsOutput read = output(blocks.get().execute(get("bin/random.dat"), context(TENANT)));

        assertThat(read.contentEncoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(read.content())).isEqualTo(bytes);
        assertThat(read.sha256()).isEqualTo(sha256(bytes));
        assertThat(read.sizeBytes()).isEqualTo(bytes.length);
    }

    @Test
    void getCanAskForTextAsBase64() throws Exception {
        blocks.put().execute(putText("notes.txt", "hello"), context(TENANT));

        FsOutput read = output(blocks.get().execute(getBase64("notes.txt"), context(TENANT)));

        assertThat(read.contentEncoding()).isEqualTo("base64");
        assertThat(read.content()).isEqualTo(Base64.getEncoder().encodeToString(utf8("hello")));
        assertThat(read.contentType()).isEqualTo("text/plain");
    }

    @Test
    void putReplacesAnExistingFile() throws Exception {
        blocks.put().execute(putText("a.csv", "first,version,which,is,longer"), context(TENANT));

        FsOutput written = output(blocks.put().execute(putText("a.csv", "second"), context(TENANT)));

        assertThat(written.contentType()).isEqualTo("text/csv");
        assertThat(output(blocks.get().execute(get("a.csv"), context(TENANT))).content()).isEqualTo("second");
        assertThat(dataDir.resolve(TENANT)).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".fsput-"));
    }

    @Test
    void fileAboveTheInlineLimitIsDescribedNotInlined() throws Exception {
        blocks.close();
        FsConfig config = new FsConfig(FsConfig.DEFAULT_MAX_WRITE_BYTES, 1024 * 1024, true,
                FsConfig.defaults(true).readTimeout(), FsConfig.defaults(true).writeTimeout(), FsConfig.defaults(true).deleteTimeout());
        blocks = FsBlocks.create(config, new TenantPaths(dataDir));
        byte[] bytes = new byte[5 * 1024 * 1024];
        new Random(11).nextBytes(bytes);
        Files.createDirectories(dataDir.resolve(TENANT));
        Files.write(dataDir.resolve(TENANT).resolve("big.bin"), bytes);

        FsOutput read = output(blocks.get().execute(get("big.bin"), context(TENANT)));

        assertThat(read.content()).isNull();
        assertThat(read.contentEncoding()).isNull();
        assertThat(read.sizeBytes()).isEqualTo(bytes.length);
        assertThat(read.sha256()).isEqualTo(sha256(bytes));
    }

    @Test
    void theInlineLimitCountsTheContentAsSentNotTheFile() throws Exception {
        Files.createDirectories(dataDir.resolve(TENANT));
        byte[] fits = new byte[600_000];  // 800,000 bytes of base64
        byte[] tooBigAsBase64 = new byte[900_000];  // 1,200,000 bytes of base64, under the limit as a file
        new Random(17).nextBytes(fits);
        new Random(19).nextBytes(tooBigAsBase64);
        Files.write(dataDir.resolve(TENANT).resolve("fits.bin"), fits);
        Files.write(dataDir.resolve(TENANT).resolve("base64-too-big.bin"), tooBigAsBase64);
        Files.writeString(dataDir.resolve(TENANT).resolve("escapes.txt"), "\u0001".repeat(200_000));  // 1.2 MB escaped

        FsOutput inline = output(blocks.get().execute(get("fits.bin"), context(TENANT)));
        FsOutput described = output(blocks.get().execute(get("base64-too-big.bin"), context(TENANT)));
        FsOutput escaped = output(blocks.get().execute(get("escapes.txt"), context(TENANT)));

        assertThat(inline.contentEncoding()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(inline.content())).isEqualTo(fits);
        assertThat(described.content()).isNull();
        assertThat(described.sha256()).isEqualTo(sha256(tooBigAsBase64));
        assertThat(escaped.content()).isNull();
        assertThat(escaped.sizeBytes()).isEqualTo(200_000);
        assertThat(FsConfig.defaults(false).maxInlineBytes()).as("the default leaves room for the result around it")
                .isLessThan(1024 * 1024 - 16 * 1024);
    }

    @Test
    void anInlineLimitOfZeroNeverInlinesNotEvenAnEmptyFile() throws Exception {
        blocks.close();
        FsConfig defaults = FsConfig.defaults(false);
        blocks = FsBlocks.create(new FsConfig(defaults.maxWriteBytes(), 0, false, defaults.readTimeout(), defaults.writeTimeout(),
                defaults.deleteTimeout()), new TenantPaths(dataDir));
        Files.createDirectories(dataDir.resolve(TENANT));
        Files.write(dataDir.resolve(TENANT).resolve("empty.txt"), new byte[0]);

        FsOutput read = output(blocks.get().execute(get("empty.txt"), context(TENANT)));

        assertThat(read.content()).isNull();
        assertThat(read.sizeBytes()).isZero();
    }

    @Test
    void jsonStringBytesCountsEscapesAndUtf8() {
        assertThat(FsGetBlock.jsonStringBytes("ab")).isEqualTo(2);
        assertThat(FsGetBlock.jsonStringBytes("\"\\\n")).isEqualTo(6);
        assertThat(FsGetBlock.jsonStringBytes("\u0001")).isEqualTo(6);
        assertThat(FsGetBlock.jsonStringBytes("é中")).isEqualTo("é中".getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
        String emoji = "😀";
        assertThat(FsGetBlock.jsonStringBytes(emoji)).as("as written").isEqualTo(io.beamline.worker.contract.Json.write(emoji).length - 2);
    }

    @Test
    void largeFileIsHashedWithoutBeingLoadedIntoTheHeap() throws Exception {
        byte[] bytes = new byte[32 * 1024 * 1024];
        new Random(13).nextBytes(bytes);
        Files.createDirectories(dataDir.resolve(TENANT));
        Files.write(dataDir.resolve(TENANT).resolve("huge.bin"), bytes);
        String expectedSha = sha256(bytes);
        bytes = null;  // only the block's own allocations are counted below
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long allocatedBefore = threads.getCurrentThreadAllocatedBytes();

        FsOutput read = output(blocks.get().execute(get("huge.bin"), context(TENANT)));

        long allocated = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        assertThat(read.sha256()).isEqualTo(expectedSha);
        assertThat(read.content()).isNull();
        assertThat(allocated).as("bytes allocated to read a 32 MiB file").isLessThan(4L * 1024 * 1024);
    }

    @Test
    void emptyFileIsInlinedAsEmptyText() throws Exception {
        blocks.put().execute(putText("empty.txt", ""), context(TENANT));

        FsOutput read = output(blocks.get().execute(get("empty.txt"), context(TENANT)));

        assertThat(read.content()).isEmpty();
        assertThat(read.sizeBytes()).isZero();
    }

    @Test
    void contentAboveTheWriteLimitIsRefusedWithoutWritingAnything() throws Exception {
        blocks.close();
        FsConfig defaults = FsConfig.defaults(false);
        blocks = FsBlocks.create(new FsConfig(10, defaults.maxInlineBytes(), false, defaults.readTimeout(),
                defaults.writeTimeout(), defaults.deleteTimeout()), new TenantPaths(dataDir));

        var text = failure(blocks.put().execute(putText("big.txt", "ü".repeat(6)), context(TENANT)));
        var bytes = failure(blocks.put().execute(putBytes("big.bin", new byte[11]), context(TENANT)));

        assertThat(text.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(text.details()).containsEntry("size", 12L).containsEntry("limit", 10L).containsEntry("path", "big.txt");
        assertThat(bytes.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(bytes.details()).containsEntry("size", 11L).containsEntry("limit", 10L);
        assertThat(dataDir).isEmptyDirectory();
    }

    @Test
    void invalidBase64IsInvalidInput() throws Exception {
        var error = failure(blocks.put().execute(
                new FsPutJob(Job.FS_PUT, "x.bin", "not base64!", null, FsPutJob.BASE64, null), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(error.retryable()).isFalse();
        assertThat(dataDir).isEmptyDirectory();
    }

    @Test
    void missingFileIsANonRetryableExecutionFailure() throws Exception {
        var error = failure(blocks.get().execute(get("nothing/here.txt"), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.message()).contains("file not found");
        assertThat(error.retryable()).isFalse();
        assertThat(error.details()).containsEntry("path", "nothing/here.txt");
    }

    @Test
    void directoryCannotBeReadAsAFile() throws Exception {
        Files.createDirectories(dataDir.resolve(TENANT).resolve("folder"));

        var error = failure(blocks.get().execute(get("folder"), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.message()).contains("is a directory");
    }

    @Test
    void putOverADirectoryFailsAndLeavesNoTempFile() throws Exception {
        Path folder = Files.createDirectories(dataDir.resolve(TENANT).resolve("folder"));
        Files.writeString(folder.resolve("inside.txt"), "kept");

        var error = failure(blocks.put().execute(putText("folder", "text"), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.message()).doesNotContain(dataDir.toString());
        assertThat(folder.resolve("inside.txt")).hasContent("kept");
        assertThat(dataDir.resolve(TENANT)).isDirectoryNotContaining(p -> p.getFileName().toString().startsWith(".fsput-"));
    }

    @Test
    void putUnderAFileThatIsNotADirectoryFails() throws Exception {
        blocks.put().execute(putText("plain.txt", "a file"), context(TENANT));

        var error = failure(blocks.put().execute(putText("plain.txt/child.txt", "text"), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.message()).contains("a parent of the path is a file");
    }

    @Test
    void fifoIsRefusedAtOnceInsteadOfBlockingTheThread() throws Exception {
        Path fifo = FifoFiles.create(Files.createDirectories(dataDir.resolve(TENANT)).resolve("pipe"));

        var error = failure(blocks.get().execute(get("pipe"), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.message()).contains("not a regular file");
        assertThat(fifo).exists();
    }

    @Test
    void namesReservedForTempFilesAreRefused() throws Exception {
        var error = failure(blocks.put().execute(putText("dir/.fsput-0-1.tmp", "x"), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(dataDir.resolve(TENANT).resolve("dir")).doesNotExist();
    }
}
