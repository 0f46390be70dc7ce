package io.beamline.worker.block.fs;

import static io.beamline.worker.block.fs.FsJobs.TENANT;
import static io.beamline.worker.block.fs.FsJobs.context;
import static io.beamline.worker.block.fs.FsJobs.delete;
import static io.beamline.worker.block.fs.FsJobs.failure;
import static io.beamline.worker.block.fs.FsJobs.output;
import static io.beamline.worker.block.fs.FsJobs.putText;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.FsOutput;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsDeleteTest {
    @TempDir
    Path dataDir;
    FsBlocks blocks;
    Path root;

    @BeforeEach
    void createBlocks() throws Exception {
        blocks = FsBlocks.create(FsConfig.defaults(true), new TenantPaths(dataDir));
        root = Files.createDirectories(dataDir.resolve(TENANT));
    }

    @AfterEach
    void closeBlocks() {
        blocks.close();
    }

    @Test
    void deleteRemovesAFileAndSaysSo() throws Exception {
        output(blocks.put().execute(putText("dir/gone.txt", "12345"), context(TENANT)));

        FsOutput removed = output(blocks.delete().execute(delete("dir/gone.txt"), context(TENANT)));

        assertThat(removed.deleted()).isTrue();
        assertThat(removed.path()).isEqualTo("dir/gone.txt");
        assertThat(removed.sizeBytes()).isEqualTo(5);
        assertThat(root.resolve("dir/gone.txt")).doesNotExist();
    }

    @Test
    void deletingAMissingFileSucceedsWithDeletedFalse() throws Exception {
        output(blocks.put().execute(putText("twice.txt", "x"), context(TENANT)));
        output(blocks.delete().execute(delete("twice.txt"), context(TENANT)));

        FsOutput again = output(blocks.delete().execute(delete("twice.txt"), context(TENANT)));
        FsOutput never = output(blocks.delete().execute(delete("never/existed.txt"), context(TENANT)));

        assertThat(again.deleted()).isFalse();
        assertThat(never.deleted()).isFalse();
        assertThat(root.resolve("never")).doesNotExist();
    }

    @Test
    void directoriesAreNotDeleted() throws Exception {
        Path folder = Files.createDirectories(root.resolve("folder"));

        var error = failure(blocks.delete().execute(delete("folder"), context(TENANT)));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.retryable()).isFalse();
        assertThat(folder).isDirectory();
    }

    @Test
    void aFifoIsNeitherReplacedByAPutNorDeleted() throws Exception {
        Files.createDirectories(root);
        Path fifo = FifoFiles.create(root.resolve("pipe"));

        var putError = failure(blocks.put().execute(putText("pipe", "data"), context(TENANT)));
        var deleteError = failure(blocks.delete().execute(delete("pipe"), context(TENANT)));

        assertThat(putError.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(putError.message()).contains("FIFO");
        assertThat(deleteError.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(Files.readAttributes(fifo, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther()).as("still the FIFO").isTrue();
    }

    @Test
    void deletingALinkRemovesTheLinkNotItsTarget() throws Exception {
        Path target = Files.writeString(root.resolve("real.txt"), "stays");
        Path link = Files.createSymbolicLink(root.resolve("alias.txt"), target);

        FsOutput removed = output(blocks.delete().execute(delete("alias.txt"), context(TENANT)));

        assertThat(removed.deleted()).isTrue();
        assertThat(Files.exists(link, LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(target).hasContent("stays");
    }
}
