package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * Result of the {@code fs.*} blocks ({@code contract/result-fs.json}). {@code content} is set by
 * {@code fs.get} when the file is small enough to inline; a larger file is described by its
 * {@code size_bytes} and {@code sha256} and stays where it is.
 */
public record FsOutput(
        String path,
        @JsonProperty("size_bytes") Long sizeBytes,
        @JsonProperty("content_type") String contentType,
        String content,
        @JsonProperty("content_encoding") String contentEncoding,
        String sha256,
        Boolean deleted) {

    public static FsOutput of(String path, long sizeBytes, String contentType, String content) {
        return new FsOutput(path, sizeBytes, contentType, content, null, null, null);
    }
}
