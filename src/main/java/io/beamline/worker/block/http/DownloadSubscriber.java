package io.beamline.worker.block.http;

import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.TempFiles;
import java.io.IOException;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Streams a response body to {@code response_to_path} the way a durable write is done: into a
 * temporary file next to the target, fsync, then an atomic rename, so the target is either the
 * old file or the complete new body, never a part. Memory use is one network buffer, whatever
 * the size; the size and SHA-256 are computed on the way. The temporary file is made, renamed
 * and removed relative to the target's directory, held open from the start
 * ({@link ConfinedDirectory}), so a link swapped into the path during the call cannot send the
 * body outside the tenant's root.
 *
 * <p>Thread-safety: the HTTP client delivers signals one at a time on its threads, while the
 * caller may {@link #close} (abandon) from another thread when the step times out or is
 * cancelled; a lock makes abandoning and committing mutually exclusive.
 */
final class DownloadSubscriber implements BodySubscriber<ResponseBody>, AutoCloseable {
    private final CompletableFuture<ResponseBody> result = new CompletableFuture<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final ConfinedDirectory directory;
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final MessageDigest digest;
    private final long limit;
    private volatile OptionalLong declaredLength = OptionalLong.empty();
    private Flow.Subscription subscription;
    private long written;
    private boolean finished;
    private boolean released;

    private DownloadSubscriber(ConfinedDirectory directory, Path target, Path temp, FileChannel channel, long limit) {
        this.directory = directory;
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.limit = limit;
        this.digest = sha256();
    }

    /**
     * Opens a temporary file beside {@code target} in {@code directory}, named and locked as an
     * {@code fs.put}'s ({@link TempFiles}): one left by a crash is swept at the next start, and
     * the file gets the same permissions as one {@code fs.put} writes. Takes over
     * {@code directory}, which {@link #close} closes (on failure here, at once).
     */
    static DownloadSubscriber open(ConfinedDirectory directory, Path target, long limit, TempFiles tempFiles) throws IOException {
        Path temp = tempFiles.newTempName();
        FileChannel channel;
        try {
            channel = directory.openFile(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
        TempFiles.lockForWriting(channel);
        return new DownloadSubscriber(directory, target, temp, channel, limit);
    }

    /** Sets the length the response announced, so an oversized body is refused before reading. */
    DownloadSubscriber expecting(OptionalLong length) {
        this.declaredLength = length;
        return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (declaredLength.isPresent() && declaredLength.getAsLong() > limit) {
            fail(new ResponseTooLargeException(limit, "declared Content-Length " + declaredLength.getAsLong(), true));
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        lock.lock();
        try {
            if (finished) {
                return;
            }
            for (ByteBuffer buffer : buffers) {
                written += buffer.remaining();
                if (written > limit) {
                    fail(new ResponseTooLargeException(limit, "download", true));
                    return;
                }
                digest.update(buffer.duplicate());
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            }
        } catch (IOException e) {
            fail(new LocalWriteException("cannot write the response body to " + target.getFileName() + ": " + e.getMessage(), e));
            return;
        } finally {
            lock.unlock();
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        lock.lock();
        try {
            discard();
            result.completeExceptionally(error);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void onComplete() {
        lock.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            channel.force(true);
            channel.close();
            move();
            result.complete(new ResponseBody.Stored(written, HexFormat.of().formatHex(digest.digest())));
        } catch (IOException e) {
            discard();
            result.completeExceptionally(new LocalWriteException("cannot store the response body: " + e.getMessage(), e));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CompletionStage<ResponseBody> getBody() {
        return result;
    }

    /** Abandons the download unless it was committed: the temporary file is removed. */
    @Override
    public void close() {
        lock.lock();
        try {
            discard();
        } finally {
            lock.unlock();
        }
    }

    private void fail(IOException error) {
        lock.lock();
        try {
            subscription.cancel();
            discard();
            result.completeExceptionally(error);
        } finally {
            lock.unlock();
        }
    }

    /** Call with the lock held. Idempotent; after a commit the temporary file is already gone. */
    private void discard() {
        finished = true;
        if (released) {
            return;  // the directory is closed: it must not be used again
        }
        released = true;
        try {
            channel.close();
            directory.deleteFileIfExists(temp);
        } catch (IOException e) {
            // best effort: a leftover temp file is swept at the next start (TempFiles)
        } finally {
            try {
                directory.close();
            } catch (IOException e) {
                // nothing was written through it that could be lost
            }
        }
    }

    private void move() throws IOException {
        // same directory, so the rename is atomic; it replaces an existing target (or a link) itself
        directory.rename(temp, target);
        // The rename is durable only once the directory entry is; not every platform can open a
        // directory for fsync, and the data itself is already on disk.
        try (FileChannel self = directory.openSelf()) {
            self.force(true);
        } catch (IOException e) {
            // see above
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
