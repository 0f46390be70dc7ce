package io.beamline.worker.block;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Names the temporary files of atomic writes (the fs blocks' and http.request's downloads) and
 * removes the ones a crashed process left behind.
 *
 * <p>A temporary file is {@code .fsput-<instance>-<random>.tmp} in the target's directory, so the
 * final rename stays on one file system. Its writer holds an OS file lock on it for the whole
 * write; the OS drops that lock when the process dies, even by {@code kill -9}. A temp file whose
 * lock can be taken therefore has no live writer and is an orphan. Names starting with
 * {@code .fsput-} are reserved: jobs may not use them, so the sweep never removes a tenant's file.
 * {@code http.request}'s {@code response_to_path} downloads use the same names and lock, so a
 * download cut short by a crash is swept like an {@code fs.put}. Thread-safe.
 */
public final class TempFiles {
    public static final String PREFIX = ".fsput-";
    private static final String SUFFIX = ".tmp";

    /** Distinguishes this instance's temp files, which the sweep must not open (see {@link #isOrphan}). */
    private final String instance = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());

    public TempFiles() {
    }

    public static boolean isReserved(Path file) {
        return file.getFileName().toString().startsWith(PREFIX);
    }

    public Path newTempPath(Path directory) {
        return directory.resolve(newTempName());
    }

    /** A fresh temp file's name alone, for a {@link ConfinedDirectory}. */
    public Path newTempName() {
        return Path.of(PREFIX + instance + "-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + SUFFIX);
    }

    /**
     * Locks the temp file for as long as {@code channel} is open, best effort: where the file
     * system has no locks, writes still work, but a sweep in another process could take the
     * file for an orphan.
     */
    public static void lockForWriting(FileChannel channel) {
        try {
            channel.tryLock();
        } catch (IOException | UnsupportedOperationException e) {
            // no usable advisory locks here; see above
        }
    }

    /** Deletes orphaned temp files anywhere under {@code dataDir}; returns how many. */
    public int removeOrphans(Path dataDir) throws IOException {
        AtomicInteger removed = new AtomicInteger();
        if (!Files.isDirectory(dataDir)) {
            return 0;
        }
        Files.walkFileTree(dataDir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && isOrphan(file) && removeIfUnlocked(file)) {
                    removed.incrementAndGet();
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;  // an unreadable corner must not stop the sweep
            }
        });
        return removed.get();
    }

    private boolean isOrphan(Path file) {
        String name = file.getFileName().toString();
        // Our own temp files are live by definition. Opening and closing them here could even
        // drop their locks: POSIX locks belong to the process, not to the channel.
        return name.startsWith(PREFIX) && name.endsWith(SUFFIX) && !name.startsWith(PREFIX + instance + "-");
    }

    private static boolean removeIfUnlocked(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            FileLock lock = channel.tryLock();
            if (lock == null) {
                return false;  // another process is still writing it
            }
            Files.deleteIfExists(file);
            return true;
        } catch (OverlappingFileLockException e) {
            return false;  // another instance in this process is writing it
        } catch (IOException | UnsupportedOperationException e) {
            return false;  // gone meanwhile, or not ours to judge: leave it
        }
    }
}
