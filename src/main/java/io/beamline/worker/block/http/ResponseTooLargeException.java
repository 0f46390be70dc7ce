package io.beamline.worker.block.http;

import java.io.IOException;

/** A response body grew past the configured limit; the transfer was abandoned. */
final class ResponseTooLargeException extends IOException {
    private final long limit;

    ResponseTooLargeException(long limit, String what) {
        super(what + " exceeds the limit of " + limit + " bytes");
        this.limit = limit;
    }

    long limit() {
        return limit;
    }
}
