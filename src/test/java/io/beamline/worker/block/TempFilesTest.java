package io.beamline.worker.block;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempFilesTest {
    @TempDir
    Path dataDir;

    @Test
    void sweepRemovesUnlockedTempFilesOfOtherInstancesAnywhereUnderTheDataDir() throws Exception {
        Path deep = Files.createDirectories(dataDir.resolve("tenant/a/b"));
        Path orphan = Files.writeString(deep.resolve(".fsput-0badc0de-1234.tmp"), "half written");

        int removed = new TempFiles().removeOrphans(dataDir);

        assertThat(removed).isEqualTo(1);
        assertThat(orphan).doesNotExist();
    }

    @Test
    void sweepKeepsATempFileThatIsBeingWritten() throws Exception {
        TempFiles writer = new TempFiles();
        Path inProgress = writer.newTempPath(Files.createDirectories(dataDir.resolve("tenant")));
        try (FileChannel channel = FileChannel.open(inProgress, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            TempFiles.lockForWriting(channel);

            int removed = new TempFiles().removeOrphans(dataDir);

            assertThat(removed).isZero();
            assertThat(inProgress).exists();
        }
    }

    @Test
    void sweepNeverTouchesItsOwnInstancesFilesOrOrdinaryFiles() throws Exception {
        TempFiles temps = new TempFiles();
        Path tenant = Files.createDirectories(dataDir.resolve("tenant"));
        Path own = Files.writeString(temps.newTempPath(tenant), "being written by us");
        Path ordinary = Files.writeString(tenant.resolve("report.tmp"), "a tenant's file");

        int removed = temps.removeOrphans(dataDir);

        assertThat(removed).isZero();
        assertThat(own).exists();
        assertThat(ordinary).exists();
    }

    @Test
    void sweepOfAMissingDataDirFindsNothing() throws Exception {
        assertThat(new TempFiles().removeOrphans(dataDir.resolve("not-created-yet"))).isZero();
    }

    @Test
    void tempFilesLiveNextToTheirTargetUnderReservedNames() {
        Path temp = new TempFiles().newTempPath(dataDir);

        assertThat(temp.getParent()).isEqualTo(dataDir);
        assertThat(TempFiles.isReserved(temp)).isTrue();
        assertThat(TempFiles.isReserved(dataDir.resolve("fsput.tmp"))).isFalse();
    }
}
