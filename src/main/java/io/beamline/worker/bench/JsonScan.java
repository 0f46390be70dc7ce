package io.beamline.worker.bench;

import java.nio.charset.StandardCharsets;

/**
 * Reads single top-level fields out of the worker's JSON messages with a byte scan instead of a
 * parser, so that measuring does not cost the measured machine more than the thing measured.
 * It finds the FIRST occurrence of a key: the worker writes {@code assignment_id} and
 * {@code status} before any nested object, and the load generator's own ids contain no quotes.
 * Not a general JSON reader. Stateless and thread-safe.
 */
final class JsonScan {
    static final byte[] ASSIGNMENT_ID = key("assignment_id");
    static final byte[] STATUS = key("status");
    static final byte[] REASON = key("reason");
    static final byte[] CODE = key("code");
    static final byte[] ERROR_CODE = key("error_code");

    private JsonScan() {
    }

    /** The quoted form of a key, e.g. {@code "status"}, as bytes. */
    static byte[] key(String name) {
        return ("\"" + name + "\"").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Where the string value of {@code key} lies: {@code start << 32 | end} (end exclusive,
     * escapes left as they are), or -1 when the key is absent or its value is not a string.
     */
    static long stringRange(byte[] json, byte[] key) {
        int value = valueStart(json, key);
        if (value < 0 || value >= json.length || json[value] != '"') {
            return -1;
        }
        int start = value + 1;
        for (int i = start; i < json.length; i++) {
            if (json[i] == '\\') {
                i++;  // an escaped character never ends the string
            } else if (json[i] == '"') {
                return (long) start << 32 | i;
            }
        }
        return -1;
    }

    /** The string value of {@code key}, or "" when absent. */
    static String string(byte[] json, byte[] key) {
        long range = stringRange(json, key);
        if (range < 0) {
            return "";
        }
        int start = (int) (range >>> 32);
        return new String(json, start, (int) range - start, StandardCharsets.UTF_8);
    }

    /** The integer value of {@code key}, or -1 when absent or not a non-negative integer. */
    static long number(byte[] json, byte[] key) {
        int i = valueStart(json, key);
        if (i < 0 || i >= json.length || json[i] < '0' || json[i] > '9') {
            return -1;
        }
        return digits(json, i, json.length);
    }

    /**
     * The sequence number of an assignment id {@code <prefix><digits>}, or -1 when the message
     * has no assignment_id or the id was not made with this prefix (another run's, another
     * client's).
     */
    static long sequence(byte[] json, byte[] idPrefix) {
        long range = stringRange(json, ASSIGNMENT_ID);
        if (range < 0) {
            return -1;
        }
        int start = (int) (range >>> 32);
        int end = (int) range;
        if (end - start <= idPrefix.length) {
            return -1;
        }
        for (int i = 0; i < idPrefix.length; i++) {
            if (json[start + i] != idPrefix[i]) {
                return -1;
            }
        }
        long seq = digits(json, start + idPrefix.length, end);
        return seq >= 0 && endOfDigits(json, start + idPrefix.length, end) == end ? seq : -1;
    }

    private static long digits(byte[] json, int from, int to) {
        int end = endOfDigits(json, from, to);
        if (end == from || end - from > 18) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < end; i++) {
            value = value * 10 + (json[i] - '0');
        }
        return value;
    }

    private static int endOfDigits(byte[] json, int from, int to) {
        int i = from;
        while (i < to && json[i] >= '0' && json[i] <= '9') {
            i++;
        }
        return i;
    }

    /** Index of the first byte of the value of {@code key} (a match followed by ':'), or -1. */
    private static int valueStart(byte[] json, byte[] key) {
        int at = indexOf(json, key, 0);
        while (at >= 0) {
            int i = skipSpace(json, at + key.length);
            if (i < json.length && json[i] == ':') {
                return skipSpace(json, i + 1);
            }
            at = indexOf(json, key, at + 1);  // the text occurred as a value, not as a key
        }
        return -1;
    }

    private static int skipSpace(byte[] json, int from) {
        int i = from;
        while (i < json.length && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t')) {
            i++;
        }
        return i;
    }

    private static int indexOf(byte[] json, byte[] key, int from) {
        byte first = key[0];
        int last = json.length - key.length;
        outer:
        for (int i = from; i <= last; i++) {
            if (json[i] != first) {
                continue;
            }
            for (int k = 1; k < key.length; k++) {
                if (json[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
