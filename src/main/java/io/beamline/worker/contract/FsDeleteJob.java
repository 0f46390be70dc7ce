package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code fs.delete} / {@code fs.blob_delete} (SPEC §4.2). */
public record FsDeleteJob(
        String type,
        String path,
        @JsonProperty("timeout_ms") Long timeoutMs) implements Job {

    @Override
    public String blockType() {
        return FS_DELETE;
    }
}
