package io.beamline.worker.block.fs;

import static io.beamline.worker.block.fs.FsJobs.OTHER_TENANT;
import static io.beamline.worker.block.fs.FsJobs.TENANT;
import static io.beamline.worker.block.fs.FsJobs.context;
import static io.beamline.worker.block.fs.FsJobs.delete;
import static io.beamline.worker.block.fs.FsJobs.failure;
import static io.beamline.worker.block.fs.FsJobs.get;
import static io.beamline.worker.block.fs.FsJobs.output;
import static io.beamline.worker.block.fs.FsJobs.putText;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile paths: every one is refused with 2003 and leaves the whole tree (data dir and its
 * neighbours) exactly as it was.
 */
class FsPathConfinementTest {
    private static final String SECRET = "top secret";

    @TempDir
    Path sandbox;
    Path dataDir;
    Path outside;
    FsBlocks blocks;

    @BeforeEach
    void createTree() throws IOException {
        dataDir = Files.createDirectories(sandbox.resolve("data"));
        outside = Files.createDirectories(sandbox.resolve("outside"));
        Files.writeString(outside.resolve("secret.txt"), SECRET);
        Files.createDirectories(dataDir.resolve(TENANT));
        Files.writeString(Files.createDirectories(dataDir.resolve(OTHER_TENANT)).resolve("secret.txt"), SECRET);
        blocks = FsBlocks.create(FsConfig.defaults(true), new TenantPaths(dataDir));
    }

    @AfterEach
    void closeBlocks() {
        blocks.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../x", "a/../../x", "/../../etc/passwd", "%2e%2e/x", "..%2fx", "%252e%252e/x",
        "a\\..\\b", "", " ", "a\u0000b", "C:/x", "c:\\x", "..", ".", "/", "a/..",
        "../tenant-b/secret.txt", "/../tenant-b/secret.txt", "%2E%2E/tenant-b/secret.txt", "../outside/secret.txt"})
    void hostilePathIsRefusedWithoutSideEffects(String path) throws Exception {
        List<String> before = tree();

        StepResult put = blocks.put().execute(putText(path, "pwned"), context(TENANT));
        StepResult read = blocks.get().execute(get(path), context(TENANT));
        StepResult removal = blocks.delete().execute(delete(path), context(TENANT));

        assertRefused(put, path);
        assertRefused(read, path);
        assertRefused(removal, path);
        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void symlinkedDirectoryLeadingOutsideIsRefusedForPutGetAndDelete() throws Exception {
        Files.createSymbolicLink(dataDir.resolve(TENANT).resolve("escape"), outside);
        List<String> before = tree();

        assertRefused(blocks.put().execute(putText("escape/new.txt", "pwned"), context(TENANT)), "escape/new.txt");
        assertRefused(blocks.put().execute(putText("escape/secret.txt", "pwned"), context(TENANT)), "escape/secret.txt");
        assertRefused(blocks.get().execute(get("escape/secret.txt"), context(TENANT)), "escape/secret.txt");
        assertRefused(blocks.delete().execute(delete("escape/secret.txt"), context(TENANT)), "escape/secret.txt");

        assertThat(tree()).isEqualTo(before);
        assertThat(outside.resolve("secret.txt")).hasContent(SECRET);
    }

    @Test
    void symlinkedFileLeadingOutsideIsRefusedForPutGetAndDelete() throws Exception {
        Path link = Files.createSymbolicLink(dataDir.resolve(TENANT).resolve("link.txt"), outside.resolve("secret.txt"));
        List<String> before = tree();

        assertRefused(blocks.put().execute(putText("link.txt", "pwned"), context(TENANT)), "link.txt");
        assertRefused(blocks.get().execute(get("link.txt"), context(TENANT)), "link.txt");
        assertRefused(blocks.delete().execute(delete("link.txt"), context(TENANT)), "link.txt");

        assertThat(tree()).isEqualTo(before);
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(outside.resolve("secret.txt")).hasContent(SECRET);
    }

    @Test
    void danglingSymlinkIsRefused() throws Exception {
        Files.createSymbolicLink(dataDir.resolve(TENANT).resolve("dangling"), outside.resolve("not-yet-there.txt"));
        List<String> before = tree();

        assertRefused(blocks.put().execute(putText("dangling", "pwned"), context(TENANT)), "dangling");

        assertThat(tree()).isEqualTo(before);
        assertThat(outside.resolve("not-yet-there.txt")).doesNotExist();
    }

    @Test
    void tenantCannotReachAnotherTenantsFileThroughASymlink() throws Exception {
        Files.createSymbolicLink(dataDir.resolve(TENANT).resolve("peer"), dataDir.resolve(OTHER_TENANT));
        List<String> before = tree();

        assertRefused(blocks.get().execute(get("peer/secret.txt"), context(TENANT)), "peer/secret.txt");
        assertRefused(blocks.put().execute(putText("peer/secret.txt", "pwned"), context(TENANT)), "peer/secret.txt");
        assertRefused(blocks.delete().execute(delete("peer/secret.txt"), context(TENANT)), "peer/secret.txt");

        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void linkDeepInThePathLeadingOutsideIsRefused() throws Exception {
        Path deep = Files.createDirectories(dataDir.resolve(TENANT).resolve("a/b/c"));
        Files.createSymbolicLink(deep.resolve("escape"), outside);
        List<String> before = tree();

        assertRefused(blocks.get().execute(get("a/b/c/escape/secret.txt"), context(TENANT)), "a/b/c/escape/secret.txt");
        assertRefused(blocks.put().execute(putText("a/b/c/escape/new.txt", "pwned"), context(TENANT)), "a/b/c/escape/new.txt");

        assertThat(tree()).isEqualTo(before);
    }

    @Test
    void linkThatStaysInsideTheTenantsDirectoryIsFollowed() throws Exception {
        Path root = dataDir.resolve(TENANT);
        Files.createDirectories(root.resolve("reports/2026"));
        Files.createSymbolicLink(root.resolve("latest"), root.resolve("reports/2026"));

        output(blocks.put().execute(putText("latest/summary.txt", "all well"), context(TENANT)));

        assertThat(root.resolve("reports/2026/summary.txt")).hasContent("all well");
        assertThat(output(blocks.get().execute(get("latest/summary.txt"), context(TENANT))).content()).isEqualTo("all well");
    }

    @Test
    void dataDirReachedThroughALinkServesItsTenantsAndStillConfinesThem() throws Exception {
        // operators may mount the data dir elsewhere and link it: that link is theirs, not a job's
        Path linkedDataDir = Files.createSymbolicLink(sandbox.resolve("data-link"), dataDir);
        Files.createSymbolicLink(dataDir.resolve(TENANT).resolve("escape"), outside);
        try (FsBlocks linked = FsBlocks.create(FsConfig.defaults(true), new TenantPaths(linkedDataDir))) {
            output(linked.put().execute(putText("notes/today.txt", "written"), context(TENANT)));

            assertThat(dataDir.resolve(TENANT).resolve("notes/today.txt")).hasContent("written");
            assertThat(output(linked.get().execute(get("notes/today.txt"), context(TENANT))).content()).isEqualTo("written");
            assertRefused(linked.get().execute(get("escape/secret.txt"), context(TENANT)), "escape/secret.txt");
        }
    }

    @Test
    void pathThroughAFileIsAnErrorThatNamesNoOtherFile() throws Exception {
        output(blocks.put().execute(putText("plain.txt", "a file, not a directory"), context(TENANT)));

        ExecError read = failure(blocks.get().execute(get("plain.txt/inner.txt"), context(TENANT)));
        ExecError write = failure(blocks.put().execute(putText("plain.txt/inner.txt", "x"), context(TENANT)));

        assertThat(read.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(write.code()).isIn(ErrorCode.EXECUTION_FAILED, ErrorCode.PERMISSION_DENIED);
        assertThat(dataDir.resolve(TENANT).resolve("plain.txt")).hasContent("a file, not a directory");
    }

    @Test
    void tenantCannotReadAnotherTenantsFile() throws Exception {
        // the same relative path names a different file in each tenant's root
        ExecError missing = failure(blocks.get().execute(get("secret.txt"), context(TENANT)));
        ExecError nested = failure(blocks.get().execute(get("tenant-b/secret.txt"), context(TENANT)));

        assertThat(missing.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(missing.message()).contains("file not found");
        assertThat(nested.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
    }

    @Test
    void tenantCannotOverwriteOrDeleteAnotherTenantsFile() throws Exception {
        blocks.put().execute(putText("secret.txt", "tenant a's own"), context(TENANT));
        blocks.delete().execute(delete("secret.txt"), context(TENANT));

        assertThat(dataDir.resolve(OTHER_TENANT).resolve("secret.txt")).hasContent(SECRET);
    }

    @Test
    void tenantIdThatLeavesTheDataDirIsRefused() throws Exception {
        List<String> before = tree();

        assertRefused(blocks.get().execute(get("secret.txt"), context("../" + OTHER_TENANT)), "secret.txt");
        assertRefused(blocks.put().execute(putText("x.txt", "pwned"), context("../outside")), "x.txt");

        assertThat(tree()).isEqualTo(before);
    }

    private static void assertRefused(StepResult result, String path) {
        ExecError error = failure(result);
        assertThat(error.code()).as("code for %s", path).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(error.retryable()).isFalse();
        assertThat(error.details()).containsEntry("path", path);
    }

    /** Every entry under the sandbox with its size, so any creation or change shows. */
    private List<String> tree() throws IOException {
        try (Stream<Path> entries = Files.walk(sandbox)) {
            return entries.map(p -> sandbox.relativize(p) + " " + sizeOf(p)).sorted().toList();
        }
    }

    private static String sizeOf(Path path) {
        try {
            return Files.isSymbolicLink(path) ? "link->" + Files.readSymbolicLink(path) : String.valueOf(Files.size(path));
        } catch (IOException e) {
            return "unreadable";
        }
    }
}
