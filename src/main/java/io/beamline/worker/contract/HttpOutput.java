package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Result of {@code http.request}. When the body was streamed to a file ({@code response_to_path})
 * {@code body} is absent and {@code body_path}, {@code body_size_bytes} and {@code body_sha256}
 * describe the file instead. A body that is not UTF-8 text (an image, a zip) is given in base64
 * with {@code body_encoding: "base64"}, as {@code fs.get} gives such files, instead of being
 * decoded with replacement characters.
 */
public record HttpOutput(
        @JsonProperty("status_code") Integer statusCode,
        String body,
        Map<String, String> headers,
        @JsonProperty("latency_ms") Long latencyMs,
        @JsonProperty("body_path") String bodyPath,
        @JsonProperty("body_size_bytes") Long bodySizeBytes,
        @JsonProperty("body_sha256") String bodySha256,
        @JsonProperty("body_encoding") String bodyEncoding) {

    public static HttpOutput inline(int statusCode, String body, Map<String, String> headers, long latencyMs) {
        return new HttpOutput(statusCode, body, headers, latencyMs, null, null, null, null);
    }

    public static HttpOutput inlineBase64(int statusCode, String base64Body, Map<String, String> headers, long latencyMs) {
        return new HttpOutput(statusCode, base64Body, headers, latencyMs, null, null, null, "base64");
    }
}
