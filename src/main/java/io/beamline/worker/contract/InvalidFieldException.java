package io.beamline.worker.contract;

/**
 * A field of an assignment breaks the contract. Thrown and caught inside the decoder only; it
 * carries no stack trace because bad input is routine, not exceptional.
 */
final class InvalidFieldException extends Exception {
    private final RejectReason reason;

    InvalidFieldException(RejectReason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    RejectReason reason() {
        return reason;
    }
}
