package io.beamline.worker.block.http;

import java.io.IOException;

/** A response body grew past the configured limit; the transfer was abandoned. */
final class ResponseTooLargeException extends IOException {
    private final long limit;
    private final boolean download;

    /** @param download whether the body was on its way to response_to_path (--http-max-download-bytes) */
    ResponseTooLargeException(long limit, String what, boolean download) {
        super(what + " exceeds the limit of " + limit + " bytes");
        this.limit = limit;
        this.download = download;
    }

    /** What the job can do about it: stream the body to a file, unless it already did. */
    String advice() {
        return download ? "downloads to response_to_path are limited by the worker's --http-max-download-bytes"
                : "set response_to_path to stream a large body to a file";
    }

    long limit() {
        return limit;
    }
}
