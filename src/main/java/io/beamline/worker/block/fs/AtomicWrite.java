package io.beamline.worker.block.fs;

import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.TempFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;

/**
 * Replaces a file's content atomically and durably (SPEC §4.2): the bytes go to a temporary
 * file in the same directory, which is fsynced, renamed over the target in one step and made
 * durable by fsyncing the directory. Readers and crashes see the old content or the new, never
 * a mix. A failed or interrupted write deletes its temporary file before it returns; only a
 * killed process leaves one behind, for {@link TempFiles#removeOrphans} to collect. All of it
 * happens relative to one open {@link ConfinedDirectory}, so a link swapped into the path
 * meanwhile cannot send the file elsewhere.
 *
 * <p>IO runs on the calling thread in {@value #CHUNK_BYTES}-byte chunks so that the deadline is
 * checked between chunks and the JDK never copies the whole content into a direct buffer.
 * Thread-safe.
 */
final class AtomicWrite {
    static final int CHUNK_BYTES = 64 * 1024;

    private final TempFiles tempFiles;

    AtomicWrite(TempFiles tempFiles) {
        this.tempFiles = tempFiles;
    }

    /** Makes {@code bytes} the content of {@code name} in {@code directory}; returns their SHA-256 in hex. */
    String replace(ConfinedDirectory directory, Path name, byte[] bytes, OperationDeadline deadline) throws IOException {
        Path temp = tempFiles.newTempName();
        String sha256;
        try {
            sha256 = writeDurably(directory, temp, bytes, deadline);
            deadline.check();
            directory.rename(temp, name);
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(directory, temp, e);
            throw e;
        }
        Durability.syncDirectory(directory, deadline);
        return sha256;
    }

    private static String writeDurably(ConfinedDirectory directory, Path temp, byte[] bytes, OperationDeadline deadline)
            throws IOException {
        MessageDigest sha256 = Sha256.newDigest();
        try (FileChannel channel = directory.openFile(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            TempFiles.lockForWriting(channel);
            deadline.watch(channel);
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.position() < bytes.length) {
                deadline.check();
                int chunkStart = buffer.position();
                buffer.limit(Math.min(chunkStart + CHUNK_BYTES, bytes.length));
                channel.write(buffer);
                sha256.update(bytes, chunkStart, buffer.position() - chunkStart);
            }
            deadline.check();
            channel.force(true);
        }
        return Sha256.hex(sha256);
    }

    private static void deleteAfterFailure(ConfinedDirectory directory, Path temp, Throwable failure) {
        try {
            directory.deleteFileIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
