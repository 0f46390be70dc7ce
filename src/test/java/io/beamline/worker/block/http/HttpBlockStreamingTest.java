package io.beamline.worker.block.http;

import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.Reply;
import io.beamline.worker.support.RecordedRequest;
import io.beamline.worker.support.FullBacklogListener;
import static io.beamline.worker.block.http.HttpBlockExchangeTest.failure;
import static io.beamline.worker.block.http.HttpBlockExchangeTest.output;
import static io.beamline.worker.block.http.HttpJobs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TempFiles;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.HttpOutput;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Large bodies: the inline limit, durable downloads to the tenant directory, file uploads. */
class HttpBlockStreamingTest {
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dataDir;
    private FaultServer server;
    private HttpBlock block;
    private Path tenantRoot;

    @BeforeEach
    void start() throws Exception {
        server = FaultServer.start();
        block = new HttpBlock(HttpConfig.defaults(false), new TenantPaths(dataDir));
        tenantRoot = new TenantPaths(dataDir).root(HttpJobs.TENANT);
    }

    @AfterEach
    void stop() throws Exception {
        block.close();
        server.close();
    }

    @Test
    void bodyDeclaredLargerThanTheLimitIsRefusedWithAHint() throws Exception {
        server.on("/huge", Reply.generated(200 * MIB));

        ExecError error = failure(request(server.url("/huge")).runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.message()).contains("response_to_path");
        assertThat(error.details()).containsEntry("limit", HttpConfig.DEFAULT_MAX_RESPONSE_BYTES)
                .containsEntry("url", server.url("/huge"));
    }

    @Test
    void chunkedBodyIsAbortedOnceItPassesTheLimit() throws Exception {
        server.on("/huge", Reply.generatedChunked(200 * MIB));

        ExecError error = failure(request(server.url("/huge")).runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.details()).containsEntry("limit", HttpConfig.DEFAULT_MAX_RESPONSE_BYTES);
    }

    @Test
    void largeResponseIsStreamedToTheTenantDirectory() throws Exception {
        long size = 100 * MIB;
        server.on("/dataset", Reply.generated(size));
        long heapBefore = usedHeap();

        HttpOutput output = output(request(server.url("/dataset")).responseToPath("downloads/dataset.bin").runOn(block));

        System.out.printf("heap used before %d MiB, after %d MiB (information only)%n", heapBefore / MIB, usedHeap() / MIB);
        assertThat(output.body()).isNull();
        assertThat(output.bodyPath()).isEqualTo("downloads/dataset.bin");
        assertThat(output.bodySizeBytes()).isEqualTo(size);
        assertThat(output.bodySha256()).isEqualTo(FaultServer.patternSha256(size));
        Path file = tenantRoot.resolve("downloads/dataset.bin");
        assertThat(Files.size(file)).isEqualTo(size);
        assertThat(sha256(file)).isEqualTo(output.bodySha256());
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aDownloadInProgressIsATempFileTheSweepKnowsAndEndsWithAnFsPutsPermissions() throws Exception {
        server.on("/trickle", Reply.ok("z".repeat(200)).trickle(10, Duration.ofMillis(100)));
        var download = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return request(server.url("/trickle")).responseToPath("slow/file.txt").runOn(block);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !leftovers().isEmpty());
        assertThat(leftovers()).singleElement().satisfies(temp -> assertThat(temp.getFileName().toString()).endsWith(".tmp"));
        assertThat(download.get(10, java.util.concurrent.TimeUnit.SECONDS)).isInstanceOf(StepResult.Succeeded.class);

        Path plain = Files.createFile(tenantRoot.resolve("slow/plain.txt"));
        assertThat(Files.getPosixFilePermissions(tenantRoot.resolve("slow/file.txt"))).isEqualTo(Files.getPosixFilePermissions(plain));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aDownloadMayNotTakeANameReservedForTheWorkersTempFiles() throws Exception {
        server.on("/x", Reply.ok("x"));

        ExecError error = failure(request(server.url("/x")).responseToPath(".fsput-mine.tmp").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(tenantRoot.resolve(".fsput-mine.tmp")).doesNotExist();
    }

    @Test
    void downloadReplacesAnExistingFileWhole() throws Exception {
        Files.writeString(tenantRoot.resolve("report.txt"), "old content that is longer than the new one");
        server.on("/report", Reply.ok("new"));

        request(server.url("/report")).responseToPath("report.txt").runOn(block);

        assertThat(Files.readString(tenantRoot.resolve("report.txt"))).isEqualTo("new");
    }

    @Test
    void downloadOverItsLimitLeavesNothingBehind() throws Exception {
        server.on("/big", Reply.generatedChunked(5 * MIB));
        HttpConfig config = HttpConfig.defaults(false).withLimits(MIB, MIB);
        try (HttpBlock limited = new HttpBlock(config, new TenantPaths(dataDir))) {

            ExecError error = failure(request(server.url("/big")).responseToPath("big.bin").runOn(limited));

            assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
            assertThat(error.details()).containsEntry("limit", MIB);
            assertThat(error.message()).as("the job already streams; the limit is the operator's")
                    .contains("--http-max-download-bytes").doesNotContain("set response_to_path");
            assertThat(tenantRoot.resolve("big.bin")).doesNotExist();
            assertThat(leftovers()).isEmpty();
        }
    }

    @Test
    void downloadCutShortByTheTimeoutLeavesNothingBehind() throws Exception {
        server.on("/trickle", Reply.ok("y".repeat(200)).trickle(10, Duration.ofMillis(100)));

        StepResult result = request(server.url("/trickle")).responseToPath("partial.txt").timeoutMs(500).runOn(block);

        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        assertThat(tenantRoot.resolve("partial.txt")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void errorResponseIsNotWrittenToTheResponsePath() throws Exception {
        server.on("/fail", Reply.status(500).body("broken"));

        ExecError error = failure(request(server.url("/fail")).responseToPath("out.txt").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.HTTP_ERROR);
        assertThat(error.details()).containsEntry("body", "broken");
        assertThat(tenantRoot.resolve("out.txt")).doesNotExist();
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void bigFileIsUploadedFromTheTenantDirectory() throws Exception {
        Path upload = tenantRoot.resolve("uploads/payload.bin");
        Files.createDirectories(upload.getParent());
        writePattern(upload, 64 * MIB);
        server.on("/upload", Reply.status(204));

        HttpOutput output = output(request(server.url("/upload")).method("PUT").bodyFromPath("uploads/payload.bin").runOn(block));

        assertThat(output.statusCode()).isEqualTo(204);
        RecordedRequest received = server.requests("/upload").getFirst();
        assertThat(received.bodyLength()).isEqualTo(64 * MIB);
        assertThat(received.bodySha256()).isEqualTo(FaultServer.patternSha256(64 * MIB));
        assertThat(received.header("content-length")).contains(Long.toString(64 * MIB));
    }

    @Test
    void missingUploadFileIsAnExecutionFailureAndNothingIsSent() throws Exception {
        ExecError error = failure(request(server.url("/upload")).method("POST").bodyFromPath("nope.bin").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void uploadPathCannotLeaveTheTenantDirectory() throws Exception {
        Files.writeString(dataDir.resolve("secret.txt"), "other tenant's data");

        ExecError error = failure(request(server.url("/upload")).method("POST").bodyFromPath("../secret.txt").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void responsePathCannotLeaveTheTenantDirectory() throws Exception {
        server.on("/x", Reply.ok("payload"));

        ExecError error = failure(request(server.url("/x")).responseToPath("../x").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(server.requests()).isEmpty();
        assertThat(dataDir.resolve("x")).doesNotExist();
    }

    @Test
    void responsePathThroughASymlinkOutOfTheTenantIsRefused() throws Exception {
        Path outside = Files.createDirectories(dataDir.resolve("elsewhere"));
        Files.createSymbolicLink(tenantRoot.resolve("link"), outside);
        server.on("/x", Reply.ok("payload"));

        ExecError error = failure(request(server.url("/x")).responseToPath("link/stolen.txt").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(outside.resolve("stolen.txt")).doesNotExist();
    }

    /** Temporary download files that were not cleaned up. */
    private List<Path> leftovers() throws IOException {
        try (Stream<Path> files = Files.walk(tenantRoot)) {
            return files.filter(path -> path.getFileName().toString().startsWith(TempFiles.PREFIX)).toList();
        }
    }

    private static long usedHeap() {
        System.gc();  // only to make the printed numbers meaningful; nothing is asserted on them
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static void writePattern(Path file, long size) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long offset = 0; offset < size; offset += block.length) {
                int length = (int) Math.min(block.length, size - offset);
                for (int i = 0; i < length; i++) {
                    block[i] = FaultServer.pattern(offset + i);
                }
                out.write(block, 0, length);
            }
        }
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                digest.update(buffer, 0, read);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
