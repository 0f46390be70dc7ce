package io.beamline.worker.block;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.block.TenantPaths.PathRefusedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The opener behind every tenant file (fs blocks, http.request's body and download, through
 * {@link TenantPaths.Located}): a link swapped into the path between the check and the open is
 * refused, and links the check accepted are followed to where they really lead.
 */
class ConfinedDirectoryTest {
    private static final String TENANT = "t1";

    @TempDir
    Path sandbox;
    Path root;
    Path outside;
    TenantPaths paths;

    @BeforeEach
    void createTree() throws IOException {
        Path dataDir = sandbox.resolve("data");
        root = Files.createDirectories(dataDir.resolve(TENANT));
        outside = Files.createDirectories(sandbox.resolve("outside"));
        Files.writeString(outside.resolve("s.txt"), "SECRET");
        Files.writeString(Files.createDirectories(root.resolve("sub")).resolve("s.txt"), "inside");
        paths = new TenantPaths(dataDir);
    }

    @Test
    void directorySwappedForALinkAfterTheCheckIsRefusedForReading() throws IOException {
        TenantPaths.Located located = paths.locate(TENANT, "sub/s.txt");
        swapForLinkOutside("sub");

        assertThatThrownBy(located::openTargetDirectory).isInstanceOf(PathRefusedException.class);
    }

    @Test
    void directorySwappedForALinkAfterTheCheckIsRefusedForWriting() throws IOException {
        TenantPaths.Located located = paths.locate(TENANT, "sub/deeper/new.txt");
        swapForLinkOutside("sub");

        assertThatThrownBy(() -> located.openEntryDirectoryCreating(parent -> { }))
                .isInstanceOf(PathRefusedException.class);
        assertThat(outside.resolve("deeper")).doesNotExist();
    }

    @Test
    void fileSwappedForALinkAfterTheCheckIsRefused() throws IOException {
        TenantPaths.Located located = paths.locate(TENANT, "sub/s.txt");
        Files.delete(root.resolve("sub/s.txt"));
        Files.createSymbolicLink(root.resolve("sub/s.txt"), outside.resolve("s.txt"));

        try (ConfinedDirectory directory = located.openTargetDirectory()) {
            assertThatThrownBy(() -> directory.openFile(located.targetName(), StandardOpenOption.READ))
                    .isInstanceOf(PathRefusedException.class);
        }
    }

    @Test
    void linkThatStaysInsideIsOpenedWhereItLeads() throws IOException {
        Files.createSymbolicLink(root.resolve("latest"), Path.of("sub"));

        TenantPaths.Located located = paths.locate(TENANT, "latest/s.txt");

        assertThat(located.target()).isEqualTo(Path.of("sub/s.txt"));
        assertThat(read(located)).isEqualTo("inside");
    }

    @Test
    void finalLinkIsTheEntryItselfForWritesAndItsTargetForReads() throws IOException {
        Files.createSymbolicLink(root.resolve("alias.txt"), Path.of("sub/s.txt"));

        TenantPaths.Located located = paths.locate(TENANT, "alias.txt");

        assertThat(located.entry()).isEqualTo(Path.of("alias.txt"));  // fs.put replaces, fs.delete removes the link
        assertThat(located.target()).isEqualTo(Path.of("sub/s.txt"));
    }

    @Test
    void missingDirectoriesAreCreatedAndOpenedWithoutFollowingLinks() throws IOException {
        TenantPaths.Located located = paths.locate(TENANT, "a/b/new.txt");

        try (ConfinedDirectory directory = located.openEntryDirectoryCreating(parent -> { })) {
            try (FileChannel channel = directory.openFile(located.entryName(), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap("new".getBytes(StandardCharsets.UTF_8)));
            }
        }

        assertThat(root.resolve("a/b/new.txt")).hasContent("new");
    }

    private void swapForLinkOutside(String name) throws IOException {
        Files.move(root.resolve(name), root.resolve(name + "-was-here"));
        Files.createSymbolicLink(root.resolve(name), Path.of("../../outside"));
    }

    private static String read(TenantPaths.Located located) throws IOException {
        try (ConfinedDirectory directory = located.openTargetDirectory();
             FileChannel channel = directory.openFile(located.targetName(), StandardOpenOption.READ)) {
            ByteBuffer buffer = ByteBuffer.allocate(64);
            channel.read(buffer);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        }
    }
}
