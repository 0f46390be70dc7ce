package io.beamline.worker.block.http;

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
        /**
         * The head as text when it is well-formed UTF-8, but for the end: the cut may have split
         * a character, whose bytes are dropped. Empty for other bytes, which go as base64
         * instead of being replaced with U+FFFD and lost.
         */
        java.util.Optional<String> utf8Text() {
            for (int trim = 0; trim <= 3 && trim <= head.length; trim++) {
                java.util.Optional<String> text = io.beamline.worker.contract.Utf8.strict(head, head.length - trim);
                if (text.isPresent()) {
                    return text;
                }
            }
            return java.util.Optional.empty();
        }

        String base64() {
            return java.util.Base64.getEncoder().encodeToString(head);
        }
    }

    /** A body written durably to the tenant's directory ({@code response_to_path}). */
    record Stored(long sizeBytes, String sha256) implements ResponseBody {
    }
}
