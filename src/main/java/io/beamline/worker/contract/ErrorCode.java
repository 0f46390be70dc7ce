package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The numeric error codes of the wire contract (SPEC §2). They travel as JSON numbers.
 *
 * <p>{@link #retryable()} is the classification of SPEC §5: network trouble, overload, internal
 * errors and unavailable resources may succeed on a later attempt; validation, permission,
 * quota and cancellation errors never will. HTTP errors (3003) depend on the status code and
 * are classified where the status is known. Immutable and thread-safe.
 */
public enum ErrorCode {
    INVALID_INPUT(1001, false),
    MISSING_REQUIRED_FIELD(1002, false),
    INVALID_FORMAT(1003, false),
    EXECUTION_FAILED(2001, false),
    RESOURCE_UNAVAILABLE(2002, true),
    PERMISSION_DENIED(2003, false),
    QUOTA_EXCEEDED(2004, false),
    NETWORK_ERROR(3001, true),
    CONNECTION_TIMEOUT(3002, true),
    HTTP_ERROR(3003, false),
    INTERNAL_ERROR(4001, true),
    SYSTEM_OVERLOAD(4002, true),
    CANCELLED_BY_USER(5001, false),
    CANCELLED_BY_TIMEOUT(5002, false);

    private final int code;
    private final boolean retryable;

    ErrorCode(int code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    @JsonValue
    public int code() {
        return code;
    }

    /** Whether an attempt failing with this code may be retried (SPEC §5 classification). */
    public boolean retryable() {
        return retryable;
    }

    @JsonCreator
    public static ErrorCode of(int code) {
        for (ErrorCode value : values()) {
            if (value.code == code) {
                return value;
            }
        }
        throw new IllegalArgumentException("unknown error code " + code);
    }
}
