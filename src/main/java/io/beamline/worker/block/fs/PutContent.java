package io.beamline.worker.block.fs;

import io.beamline.worker.contract.FsPutJob;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The bytes an {@code fs.put} job writes: its {@code content} as UTF-8, or decoded from base64
 * when {@code content_encoding} is {@code base64}. The size limit is checked before anything
 * is encoded or decoded, so an oversized job costs no second copy. Stateless.
 */
final class PutContent {
    private PutContent() {
    }

    static byte[] bytes(FsPutJob job, long maxBytes) throws InvalidContentException {
        String content = job.content();
        if (job.isBase64()) {
            requireWithinLimit(job, base64DecodedLength(content), maxBytes);
            try {
                return Base64.getDecoder().decode(content);
            } catch (IllegalArgumentException e) {
                throw new InvalidContentException("content is not valid base64: " + e.getMessage(), Map.of());
            }
        }
        requireWithinLimit(job, utf8Length(content), maxBytes);
        return content.getBytes(StandardCharsets.UTF_8);
    }

    private static void requireWithinLimit(FsPutJob job, long size, long maxBytes) throws InvalidContentException {
        if (size > maxBytes) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("size", size);
            details.put("limit", maxBytes);
            throw new InvalidContentException("content of \"" + job.path() + "\" is " + size
                    + " bytes, more than the " + maxBytes + " allowed", details);
        }
    }

    /** Exact for valid base64 (padding optional, as the decoder accepts it). */
    static long base64DecodedLength(String content) {
        int length = content.length();
        int padding = 0;
        while (padding < 2 && length - padding > 0 && content.charAt(length - padding - 1) == '=') {
            padding++;
        }
        return (long) (length - padding) * 3 / 4;
    }

    /** What {@code getBytes(UTF_8)} will produce, counted without producing it. */
    static long utf8Length(String content) {
        long length = 0;
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < content.length() && Character.isLowSurrogate(content.charAt(i + 1))) {
                length += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                length += 1;  // a lone surrogate is encoded as '?'
            } else {
                length += 3;
            }
        }
        return length;
    }

    /** The job's content cannot be written; reported as 1001 invalid input. */
    static final class InvalidContentException extends Exception {
        private final Map<String, Object> details;

        InvalidContentException(String message, Map<String, Object> details) {
            super(message);
            this.details = Map.copyOf(details);
        }

        Map<String, Object> details(String path) {
            Map<String, Object> all = FsOutcomes.details(path);
            all.putAll(details);
            return all;
        }
    }
}
