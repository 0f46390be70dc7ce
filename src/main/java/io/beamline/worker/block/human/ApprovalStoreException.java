package io.beamline.worker.block.human;

/** The approval database failed (disk full, file locked by another worker, corruption). */
public final class ApprovalStoreException extends RuntimeException {
    ApprovalStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
