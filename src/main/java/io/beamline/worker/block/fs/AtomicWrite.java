package io.beamline.worker.block.fs;

import io.beamline.worker.block.TempFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces a file's content atomically and durably (SPEC §4.2): the bytes go to a temporary
 * file in the same directory, which is fsynced, renamed over the target in one step and made
 * durable by fsyncing the directory. Readers and crashes see the old content or the new, never
 * a mix. A failed or interrupted write deletes its temporary file before it returns; only a
 * killed process leaves one behind, for {@link TempFiles#removeOrphans} to collect.
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

    /** Makes {@code bytes} the content of {@code target}; returns their SHA-256 in hex. */
    String replace(Path target, byte[] bytes, OperationDeadline deadline) throws IOException {
        Path directory = target.getParent();
        List<Path> created = createDirectories(directory);
        Path temp = tempFiles.newTempPath(directory);
        String sha256;
        try {
            sha256 = writeDurably(temp, bytes, deadline);
            deadline.check();
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            deleteAfterFailure(temp, e);
            throw e;
        }
        Durability.syncDirectory(directory, deadline);
        for (Path newDirectory : created) {
            Durability.syncDirectory(newDirectory.getParent(), deadline);
        }
        return sha256;
    }

    private static String writeDurably(Path temp, byte[] bytes, OperationDeadline deadline) throws IOException {
        MessageDigest sha256 = Sha256.newDigest();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
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

    /** Creates the missing parents of a file; returns the ones it created, outermost first. */
    private static List<Path> createDirectories(Path directory) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path candidate = directory; candidate != null && !Files.isDirectory(candidate); candidate = candidate.getParent()) {
            missing.addFirst(candidate);
        }
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new FileSystemException(directory.toString(), null, "a parent of the path is a file, not a directory");
        }
        return missing;
    }

    private static void deleteAfterFailure(Path temp, Throwable failure) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            failure.addSuppressed(e);
        }
    }
}
