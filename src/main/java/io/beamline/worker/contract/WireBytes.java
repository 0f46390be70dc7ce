package io.beamline.worker.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The ack and the result, the two messages of every step, written straight to UTF-8 bytes in
 * the order of {@link WireLayout}. Through Jackson (a generator, a serializer provider and pooled
 * buffers per message) writing them was 23 % of the sandbox worker's CPU. The bytes are exactly
 * Jackson's ({@code GoldenContractTest} compares them). Strings are written here when they are
 * ASCII, which ids, tenants and block types are; a message with any other character returns null
 * and goes through Jackson, which encodes everything. Block outputs other than {@link FsOutput}
 * and {@link HttpOutput}, and errors, are written by Jackson and embedded. One instance per
 * message; not thread-safe.
 */
final class WireBytes implements WireSink {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    /** The ASCII characters written as they are: one lookup per character instead of four tests. */
    private static final boolean[] PLAIN = new boolean[128];

    /**
     * The bytes a longer string may be copied with in one piece: the plain characters but '?',
     * which is also what {@link String#getBytes} makes of a character it cannot encode.
     */
    private static final boolean[] COPYABLE = new boolean[256];
    /** From this length on a string is first tried as a whole (shorter ones are not worth an array). */
    private static final int BULK_FROM = 16;

    static {
        for (char c = 0x20; c < 0x80; c++) {
            PLAIN[c] = c != '"' && c != '\\';
            COPYABLE[c] = PLAIN[c] && c != '?';
        }
    }

    /**
     * Scratch buffers for writing, shared by all threads (the dispatchers write acks, the steps'
     * virtual threads results, a new thread every few steps): a fresh 512-byte buffer per message
     * was a seventh of the sandbox worker's allocation. A thread takes the buffer of its slot and
     * puts it back when the message is copied out; two threads meeting on a slot means one of
     * them allocates, nothing worse.
     */
    private static final int SCRATCH_SLOTS = 64;
    private static final int SCRATCH_BYTES = 1024;
    /** Larger buffers (a message with a big file's content) are not kept. */
    private static final int SCRATCH_KEPT_BYTES = 64 * 1024;
    private static final AtomicReferenceArray<byte[]> SCRATCH = new AtomicReferenceArray<>(SCRATCH_SLOTS);

    private byte[] buffer;
    private int length;
    /** Whether the object being written already has a field (the next one needs a comma). */
    private boolean hasField;
    /** False once a string needed more than this writer encodes: the caller falls back to Jackson. */
    private boolean encodable = true;

    private WireBytes() {
    }

    /** The ack's bytes, or null when Jackson must write it. */
    static byte[] ack(ExecAssignmentAck ack) {
        return write(w -> WireLayout.ack(ack, w));
    }

    /** The result's bytes, or null when Jackson must write it. */
    static byte[] result(ExecResult result) {
        return write(w -> WireLayout.result(result, w));
    }

    private interface Message {
        void writeTo(WireBytes w) throws IOException;
    }

    private static byte[] write(Message message) {
        int slot = (int) Thread.currentThread().threadId() & (SCRATCH_SLOTS - 1);
        byte[] scratch = SCRATCH.getAndSet(slot, null);
        WireBytes w = new WireBytes();
        w.buffer = scratch != null ? scratch : new byte[SCRATCH_BYTES];
        try {
            message.writeTo(w);
            return w.encodable ? Arrays.copyOf(w.buffer, w.length) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("no IO happens here", e);  // WireSink declares it for Jackson's sink
        } finally {
            if (w.buffer.length <= SCRATCH_KEPT_BYTES) {
                SCRATCH.setRelease(slot, w.buffer);
            }
        }
    }

    @Override
    public void startObject() {
        ensure(1);
        buffer[length++] = '{';
        hasField = false;
    }

    @Override
    public void endObject() {
        ensure(1);
        buffer[length++] = '}';
        hasField = true;  // the object is a value of its parent's field
    }

    /** {@code ,"name":} (the comma when a field came before). */
    @Override
    public void field(Name name) {
        byte[] quoted = name.quoted();
        ensure(quoted.length + 1);
        if (hasField) {
            buffer[length++] = ',';
        }
        System.arraycopy(quoted, 0, buffer, length, quoted.length);
        length += quoted.length;
        hasField = true;
    }

    /** {@code ,"name":} for a name that is data, escaped as a string value is. */
    @Override
    public void key(String name) {
        if (hasField) {
            ensure(1);
            buffer[length++] = ',';
        }
        string(name);
        ensure(1);
        buffer[length++] = ':';
        hasField = true;
    }

    /** The decimal digits, written in place (no String per number: two or three per message). */
    @Override
    public void number(long value) {
        if (value == Long.MIN_VALUE) {
            append(Long.toString(value));  // its magnitude has no positive long
            return;
        }
        ensure(20);
        if (value < 0) {
            buffer[length++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long rest = value / 10; rest != 0; rest /= 10) {
            digits++;
        }
        int at = length + digits;
        length = at;
        do {
            buffer[--at] = (byte) ('0' + value % 10);
            value /= 10;
        } while (value != 0);
    }

    @Override
    public void bool(boolean value) {
        append(value ? "true" : "false");
    }

    /** Written by Jackson and embedded. */
    @Override
    public void value(Object value) {
        byte[] json = Json.write(value);
        ensure(json.length);
        System.arraycopy(json, 0, buffer, length, json.length);
        length += json.length;
    }

    /** A JSON string with Jackson's escapes: \" \\ \b \t \n \f \r, other controls as \\u00XX. */
    @Override
    public void string(String value) {
        int n = value.length();
        if (n >= BULK_FROM && copiedWhole(value, n)) {
            return;
        }
        ensure(n + 2);  // escapes make room for themselves
        byte[] out = buffer;  // locals, not fields, in the loop: this runs for every character sent
        int at = length;
        out[at++] = '"';
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x80 && PLAIN[c]) {
                out[at++] = (byte) c;
                continue;
            }
            if (c >= 0x80) {
                encodable = false;  // Jackson writes it (UTF-8, surrogate pairs)
                return;
            }
            length = at;
            ensure(6 + (n - i));
            out = buffer;
            out[at++] = '\\';
            switch (c) {
                case '"', '\\' -> out[at++] = (byte) c;
                case '\b' -> out[at++] = 'b';
                case '\t' -> out[at++] = 't';
                case '\n' -> out[at++] = 'n';
                case '\f' -> out[at++] = 'f';
                case '\r' -> out[at++] = 'r';
                default -> {
                    out[at++] = 'u';
                    out[at++] = '0';
                    out[at++] = '0';
                    out[at++] = HEX[c >> 4];
                    out[at++] = HEX[c & 0xF];
                }
            }
        }
        out[at++] = '"';
        length = at;
    }

    /**
     * Writes an id-like string in one copy when it needs no escape. Its ISO-8859-1 bytes are a
     * plain copy for a Latin-1 string (UTF-8 first scans it for bytes beyond ASCII); a character
     * beyond ASCII comes out as a byte of 0x80 or more, or as '?' when beyond Latin-1, and both
     * are refused here, so the bytes are the string's only when every byte passes. One lookup
     * per byte instead of a {@code charAt} and a lookup per character: the character loop was
     * the worker's largest own item (6 % of its CPU). False, having written nothing, otherwise.
     */
    private boolean copiedWhole(String value, int n) {
        byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
        if (bytes.length != n) {
            return false;
        }
        for (byte b : bytes) {
            if (!COPYABLE[b & 0xFF]) {
                return false;
            }
        }
        ensure(n + 2);
        buffer[length++] = '"';
        System.arraycopy(bytes, 0, buffer, length, n);
        length += n;
        buffer[length++] = '"';
        return true;
    }

    /** ASCII text without escapes (numbers, literals). */
    private void append(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buffer[length++] = (byte) ascii.charAt(i);
        }
    }

    private void ensure(int more) {
        if (length + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + more));
        }
    }

}
