package io.beamline.worker.block.human;

/** The approval database failed (disk full, every slot held by other workers, corruption). */
public final class ApprovalStoreException extends RuntimeException {
    ApprovalStoreException(String message) {
        super(message);
    }

    ApprovalStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
