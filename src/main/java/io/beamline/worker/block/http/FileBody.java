package io.beamline.worker.block.http;

import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.TenantPaths;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * A {@code body_from_path} file as a request body. It is opened once, when the step starts,
 * through a {@link ConfinedDirectory}: {@code BodyPublishers.ofFile} opened it by name at each
 * send, after the path check, so a link swapped in meanwhile sent a file from outside the
 * tenant's root. Each send (a 307/308 redirect sends again) reads the open file from its start
 * with positional reads, so every hop sends the very file that was checked, streamed, never
 * loaded into memory; {@code Content-Length} is its size when opened. Closed when the step
 * ends. Thread-safe: the sends only read at their own positions.
 */
final class FileBody implements AutoCloseable {
    private final FileChannel channel;
    private final long size;

    private FileBody(FileChannel channel, long size) {
        this.channel = channel;
        this.size = size;
    }

    static FileBody open(TenantPaths.Located located, String jobPath) throws IOException {
        try (ConfinedDirectory directory = located.openTargetDirectory()) {
            Path name = located.targetName();
            BasicFileAttributes attributes = directory.attributes(name).orElse(null);
            if (attributes != null && attributes.isSymbolicLink()) {
                throw new TenantPaths.PathRefusedException("body_from_path \"" + jobPath + "\" changed into a symbolic link");
            }
            // look before opening: reading a FIFO or device could block for good
            if (attributes == null || !attributes.isRegularFile()) {
                throw new IOException("body_from_path \"" + jobPath + "\" is not an existing file");
            }
            FileChannel channel = directory.openFile(name, StandardOpenOption.READ);
            return new FileBody(channel, attributes.size());
        }
    }

    BodyPublisher publisher() {
        if (size == 0) {
            return BodyPublishers.noBody();  // fromPublisher takes positive lengths only; this sends Content-Length: 0 too
        }
        return BodyPublishers.fromPublisher(BodyPublishers.ofInputStream(FromStart::new), size);
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // a read-only file: nothing was written that could be lost
        }
    }

    /** The file from its first byte; closing it leaves the shared channel open. */
    private final class FromStart extends InputStream {
        private long position;

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] bytes, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int read = channel.read(ByteBuffer.wrap(bytes, offset, length), position);
            if (read > 0) {
                position += read;
            }
            return read;
        }
    }
}
