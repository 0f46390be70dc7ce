package io.beamline.worker.block.fs;

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
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regression for the audit's link race (TOCTOU): a process that can make links in the tenant's
 * directory swaps a directory on the path for a link to the outside after the path was checked
 * and before the file is opened. The swap runs at exactly that moment, through
 * {@link TenantFiles}' hook, so the race is reproduced without timing. Before the fix fs.get
 * returned the outside file, fs.put wrote there and fs.delete removed it.
 */
class FsLinkSwapTest {
    private static final String SECRET = "top secret";

    @TempDir
    Path sandbox;
    Path root;
    Path outside;
    FsBlocks blocks;

    @BeforeEach
    void createTree() throws Exception {
        Path dataDir = sandbox.resolve("data");
        root = Files.createDirectories(dataDir.resolve(TENANT));
        outside = Files.createDirectories(sandbox.resolve("outside"));
        Files.writeString(outside.resolve("s.txt"), SECRET);
        Files.writeString(Files.createDirectories(root.resolve("flip")).resolve("s.txt"), "inside");
        blocks = FsBlocks.over(FsConfig.defaults(false), new TenantFiles(new TenantPaths(dataDir), this::swapFlipForALinkOutside));
    }

    @AfterEach
    void closeBlocks() {
        blocks.close();
    }

    /** What the auditor's flipper did: "flip" becomes a link to ../../outside, renamed into place. */
    private void swapFlipForALinkOutside() {
        try {
            Files.move(root.resolve("flip"), root.resolve("flip-was-here"));
            Files.createSymbolicLink(root.resolve("flip"), Path.of("../../outside"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void getRefusesALinkSwappedInAfterThePathWasChecked() throws Exception {
        StepResult result = blocks.get().execute(get("flip/s.txt"), context(TENANT));

        assertThat(failure(result).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(result.toString()).doesNotContain(SECRET);
    }

    @Test
    void putRefusesALinkSwappedInAfterThePathWasChecked() throws Exception {
        StepResult result = blocks.put().execute(putText("flip/pwn.txt", "pwn"), context(TENANT));

        assertThat(failure(result).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(filesIn(outside)).containsExactly("s.txt");
    }

    @Test
    void putIntoANewDirectoryRefusesALinkSwappedInAfterThePathWasChecked() throws Exception {
        StepResult result = blocks.put().execute(putText("flip/new/pwn.txt", "pwn"), context(TENANT));

        assertThat(failure(result).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(filesIn(outside)).containsExactly("s.txt");
    }

    @Test
    void deleteRefusesALinkSwappedInAfterThePathWasChecked() throws Exception {
        StepResult result = blocks.delete().execute(delete("flip/s.txt"), context(TENANT));

        assertThat(failure(result).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(outside.resolve("s.txt")).hasContent(SECRET);
    }

    @Test
    void aPathTheSwapDoesNotTouchIsStillRead() throws Exception {
        // the hook swaps "flip" here too, which is not on this path
        Files.writeString(Files.createDirectories(root.resolve("same")).resolve("s.txt"), "still inside");

        assertThat(output(blocks.get().execute(get("same/s.txt"), context(TENANT))).content()).isEqualTo("still inside");
    }

    private static List<String> filesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> !file.equals(directory)).map(file -> directory.relativize(file).toString()).toList();
        }
    }
}
