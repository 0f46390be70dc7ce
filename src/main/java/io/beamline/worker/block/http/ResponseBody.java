package io.beamline.worker.block.http;

import java.nio.charset.StandardCharsets;

/** What was kept of a response body, depending on how the response was handled. Immutable. */
sealed interface ResponseBody {

    /** The whole body, held in memory (at most {@code --http-max-response-bytes}). */
    record Inline(byte[] bytes) implements ResponseBody {
        /** The body as text when it is well-formed UTF-8 (as nearly every API answers); empty otherwise. */
        java.util.Optional<String> utf8Text() {
            return io.beamline.worker.contract.Utf8.strict(bytes);
        }
    }

    /** The first bytes of a body that is only reported, such as an error page. */
    record Snippet(byte[] head) implements ResponseBody {
        String text() {
            // a cut may split a multi-byte character; the decoder replaces the remainder
            return new String(head, StandardCharsets.UTF_8);
        }
    }

    /** A body written durably to the tenant's directory ({@code response_to_path}). */
    record Stored(long sizeBytes, String sha256) implements ResponseBody {
    }
}
