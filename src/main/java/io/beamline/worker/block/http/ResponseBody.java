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

    /** The first bytes of a body that is only reported, such as an error page; {@code cut} when there were more. */
    record Snippet(byte[] head, boolean cut) implements ResponseBody {
        /**
         * The head as text when it is well-formed UTF-8, but for the end of a cut head: the cut
         * may have split a character, whose first bytes are dropped (only those: bytes that
         * begin a sequence the cut left incomplete). Empty for other bytes, which go as base64
         * instead of being replaced with U+FFFD or dropped.
         */
        java.util.Optional<String> utf8Text() {
            return io.beamline.worker.contract.Utf8.strict(head, head.length - (cut ? splitCharacterBytes(head) : 0));
        }

        /** How many bytes at the end of {@code bytes} start a UTF-8 sequence that goes on past it (0-3). */
        static int splitCharacterBytes(byte[] bytes) {
            for (int back = 1; back <= Math.min(3, bytes.length); back++) {
                int b = bytes[bytes.length - back] & 0xFF;
                if ((b & 0xC0) == 0x80) {
                    continue;  // a continuation byte: its lead is further back
                }
                int length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
                return length > back ? back : 0;
            }
            return 0;
        }

        String base64() {
            return java.util.Base64.getEncoder().encodeToString(head);
        }
    }

    /** A body written durably to the tenant's directory ({@code response_to_path}). */
    record Stored(long sizeBytes, String sha256) implements ResponseBody {
    }
}
