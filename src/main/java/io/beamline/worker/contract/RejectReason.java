package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Why an assignment was rejected, as written in {@code ExecAssignmentAck.reason} (SPEC §2), with
 * the error code that accompanies it in {@code error_code}.
 */
public enum RejectReason {
    INVALID_INPUT(ErrorCode.INVALID_INPUT),
    MISSING_REQUIRED_FIELD(ErrorCode.MISSING_REQUIRED_FIELD),
    INVALID_FORMAT(ErrorCode.INVALID_FORMAT),
    QUEUE_FULL(ErrorCode.SYSTEM_OVERLOAD),
    QUOTA_EXCEEDED(ErrorCode.QUOTA_EXCEEDED),
    UNSUPPORTED_BLOCK(ErrorCode.INVALID_INPUT),
    SHUTTING_DOWN(ErrorCode.SYSTEM_OVERLOAD),
    DUPLICATE(ErrorCode.INVALID_INPUT),
    CIRCUIT_OPEN(ErrorCode.RESOURCE_UNAVAILABLE);

    private final ErrorCode errorCode;
    private final String wireName;

    RejectReason(ErrorCode errorCode) {
        this.errorCode = errorCode;
        this.wireName = name().toLowerCase(Locale.ROOT);
    }

    public ErrorCode errorCode() {
        return errorCode;
    }

    @JsonValue
    public String wireName() {
        return wireName;
    }

    /** Rejections caused by the message itself: sending it again can never succeed. */
    public boolean isInputProblem() {
        return switch (this) {
            case INVALID_INPUT, MISSING_REQUIRED_FIELD, INVALID_FORMAT, UNSUPPORTED_BLOCK -> true;
            case QUEUE_FULL, QUOTA_EXCEEDED, SHUTTING_DOWN, DUPLICATE, CIRCUIT_OPEN -> false;
        };
    }
}
