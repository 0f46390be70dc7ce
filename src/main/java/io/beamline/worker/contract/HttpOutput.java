package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * Result of {@code http.request}. When the body was streamed to a file ({@code response_to_path})
 * {@code body} is absent and {@code body_path}, {@code body_size_bytes} and {@code body_sha256}
 * describe the file instead.
 */
public record HttpOutput(
        @JsonProperty("status_code") Integer statusCode,
        String body,
        Map<String, String> headers,
        @JsonProperty("latency_ms") Long latencyMs,
        @JsonProperty("body_path") String bodyPath,
        @JsonProperty("body_size_bytes") Long bodySizeBytes,
        @JsonProperty("body_sha256") String bodySha256) {

    public static HttpOutput inline(int statusCode, String body, Map<String, String> headers, long latencyMs) {
        return new HttpOutput(statusCode, body, headers, latencyMs, null, null, null);
    }
}
