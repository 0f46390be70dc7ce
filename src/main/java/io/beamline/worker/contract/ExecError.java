package io.beamline.worker.contract;

import java.util.Map;

/** The {@code error} object of a result or dead letter: {@code {code, message, retryable, details}}. */
public record ExecError(ErrorCode code, String message, Boolean retryable, Map<String, Object> details) {

    public static ExecError of(ErrorCode code, String message) {
        return new ExecError(code, message, code.retryable(), Map.of());
    }

    public static ExecError of(ErrorCode code, String message, Map<String, Object> details) {
        return new ExecError(code, message, code.retryable(), details);
    }

    @com.fasterxml.jackson.annotation.JsonIgnore
    public boolean isRetryable() {
        return Boolean.TRUE.equals(retryable);
    }
}
