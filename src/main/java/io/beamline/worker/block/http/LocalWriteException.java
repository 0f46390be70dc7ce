package io.beamline.worker.block.http;

import java.io.IOException;

/**
 * Writing a downloaded body to the tenant's directory failed (disk full, permissions). Kept
 * apart from network {@link IOException}s because it is the worker's failure, not the remote's.
 */
final class LocalWriteException extends IOException {
    LocalWriteException(String message, Throwable cause) {
        super(message, cause);
    }
}
