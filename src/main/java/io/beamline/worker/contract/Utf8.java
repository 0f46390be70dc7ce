package io.beamline.worker.contract;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Strict UTF-8 decoding: no overlong forms, no encoded surrogates, nothing cut short. Bytes that
 * fail it are not text (a file, a response body: given in base64 instead) or not a message
 * (refused); lossy decoding would turn them into replacement characters. Stateless.
 */
public final class Utf8 {
    private Utf8() {
    }

    /** Whether {@code bytes} are well-formed UTF-8; only bytes beyond ASCII are decoded to tell. */
    public static boolean isValid(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return strict(bytes).isPresent();
            }
        }
        return true;  // ASCII is UTF-8
    }

    /** The text of {@code bytes}, or empty when they are not well-formed UTF-8. */
    public static Optional<String> strict(byte[] bytes) {
        return strict(bytes, bytes.length);
    }

    /** The text of the first {@code length} of {@code bytes}, or empty when they are not well-formed UTF-8. */
    public static Optional<String> strict(byte[] bytes, int length) {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, length))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
