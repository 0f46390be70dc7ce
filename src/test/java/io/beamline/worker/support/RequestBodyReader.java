package io.beamline.worker.support;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Consumes a request body for {@link FaultServer} (by length or chunked), keeping its first
 * {@link FaultServer#KEPT_BODY_BYTES} bytes, its length and its SHA-256. Used by one thread.
 */
final class RequestBodyReader {
    private static final int BUFFER_BYTES = 64 * 1024;

    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final MessageDigest digest = FaultServer.sha256();
    private long length;

    byte[] head() {
        return head.toByteArray();
    }

    long length() {
        return length;
    }

    String sha256() {
        return HexFormat.of().formatHex(digest.digest());
    }

    void copy(InputStream in, long count) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long left = count;
        while (left > 0) {
            int read = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new EOFException("connection closed inside a request body");
            }
            digest.update(buffer, 0, read);
            head.write(buffer, 0, Math.min(read, Math.max(0, FaultServer.KEPT_BODY_BYTES - head.size())));
            length += read;
            left -= read;
        }
    }

    void copyChunked(InputStream in) throws IOException {
        while (true) {
            long size = Long.parseLong(readLine(in).split(";")[0].trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // trailers are ignored
                }
                return;
            }
            copy(in, size);
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new EOFException("connection closed inside a chunked body");
            }
            line.write(b);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
    }
}
