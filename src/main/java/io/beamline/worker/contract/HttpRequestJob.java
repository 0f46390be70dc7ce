package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Map;

/**
 * {@code http.request} (SPEC §4.1). {@code body_from_path} sends a file from the tenant's data
 * directory as the body; {@code response_to_path} streams the response body into one.
 */
public record HttpRequestJob(
        String type,
        String method,
        String url,
        Map<String, String> headers,
        String body,
        @JsonProperty("timeout_ms") Long timeoutMs,
        @JsonProperty("body_from_path") String bodyFromPath,
        @JsonProperty("response_to_path") String responseToPath) implements Job {

    @Override
    public String blockType() {
        return HTTP_REQUEST;
    }
}
