package io.beamline.worker.block.fs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * A file's size and SHA-256, and its bytes when it is small enough to inline. Read in
 * {@value AtomicWrite#CHUNK_BYTES}-byte chunks on the calling thread with the deadline checked
 * between chunks; a file above the inline limit is hashed while it streams past, so the heap
 * holds one chunk whatever the file's size. Immutable.
 */
final class FileContent {
    private final long sizeBytes;
    private final String sha256;
    /** Null when the file was larger than the inline limit. */
    private final byte[] inlineBytes;

    private FileContent(long sizeBytes, String sha256, byte[] inlineBytes) {
        this.sizeBytes = sizeBytes;
        this.sha256 = sha256;
        this.inlineBytes = inlineBytes;
    }

    /**
     * Reads {@code channel} to its end.
     *
     * @param expectedSize the size the file had when it was opened, to size the inline buffer
     */
    static FileContent read(ReadableByteChannel channel, long maxInlineBytes, long expectedSize,
            OperationDeadline deadline) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer chunk = ByteBuffer.allocate(chunkBytes(expectedSize));
        ByteArrayOutputStream inline = expectedSize <= maxInlineBytes
                ? new ByteArrayOutputStream((int) Math.max(expectedSize, 0))
                : null;
        long size = 0;
        while (true) {
            deadline.check();
            int read = channel.read(chunk);
            if (read < 0) {
                break;
            }
            digest.update(chunk.array(), 0, read);
            size += read;
            if (inline != null && size <= maxInlineBytes) {
                inline.write(chunk.array(), 0, read);
            } else {
                inline = null;  // grew past the limit while we read it: describe it instead
            }
            chunk.clear();
        }
        return new FileContent(size, Sha256.hex(digest), inline == null ? null : inline.toByteArray());
    }

    /**
     * A chunk no bigger than the file needs: one byte more than its expected size (so the first
     * read can reach the end), at least 1 KiB, at most {@value AtomicWrite#CHUNK_BYTES}. A
     * zeroed 64 KiB buffer for every read of a 100-byte file was the top allocation of fs.get.
     */
    static int chunkBytes(long expectedSize) {
        return (int) Math.min(AtomicWrite.CHUNK_BYTES, Math.max(1024, expectedSize + 1));
    }

    long sizeBytes() {
        return sizeBytes;
    }

    String sha256() {
        return sha256;
    }

    /** The file's bytes, or empty when it is larger than the inline limit. */
    Optional<byte[]> inlineBytes() {
        return Optional.ofNullable(inlineBytes);
    }
}
