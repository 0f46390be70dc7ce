package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code fs.put} / {@code fs.blob_put} (SPEC §4.2): text content, or bytes when base64-encoded. */
public record FsPutJob(
        String type,
        String path,
        String content,
        @JsonProperty("content_type") String contentType,
        @JsonProperty("content_encoding") String contentEncoding,
        @JsonProperty("timeout_ms") Long timeoutMs) implements Job {

    @Override
    public String blockType() {
        return FS_PUT;
    }

    public static final String BASE64 = "base64";

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isBase64() {
        return BASE64.equals(contentEncoding);
    }
}
