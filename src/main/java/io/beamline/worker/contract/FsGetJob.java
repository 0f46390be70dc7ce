package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code fs.get} / {@code fs.blob_get} (SPEC §4.2). */
public record FsGetJob(
        String type,
        String path,
        @JsonProperty("content_encoding") String contentEncoding,
        @JsonProperty("timeout_ms") Long timeoutMs) implements Job {

    @Override
    public String blockType() {
        return FS_GET;
    }
}
