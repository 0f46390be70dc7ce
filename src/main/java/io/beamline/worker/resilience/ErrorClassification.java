package io.beamline.worker.resilience;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.StepResult;

/**
 * Which outcomes are worth another attempt, and which count against a destination's breaker
 * (SPEC §5). Stateless.
 */
public final class ErrorClassification {
    private ErrorClassification() {
    }

    /**
     * Baseline: every error and timeout is retried. Advanced: only errors the blocks marked
     * retryable (network, connect timeout, HTTP 5xx and 429, 4001, 4002, 2002). Cancellation
     * never is.
     */
    public static boolean shouldRetry(StepResult result, boolean advanced) {
        return switch (result) {
            case StepResult.Succeeded s -> false;
            case StepResult.Cancelled c -> false;
            case StepResult.Failed f -> !advanced || f.cause().isRetryable();
            case StepResult.TimedOut t -> !advanced || t.cause().isRetryable();
        };
    }

    /** Failures that say the destination is unwell: 5xx, timeouts, network errors; never 4xx or bad input. */
    public static boolean isDestinationFailure(StepResult result) {
        return switch (result) {
            case StepResult.Succeeded s -> false;
            case StepResult.Cancelled c -> false;
            case StepResult.TimedOut t -> true;
            case StepResult.Failed f -> isDestinationFailure(f.cause());
        };
    }

    private static boolean isDestinationFailure(ExecError error) {
        return switch (error.code()) {
            case NETWORK_ERROR, CONNECTION_TIMEOUT, RESOURCE_UNAVAILABLE, CANCELLED_BY_TIMEOUT -> true;
            case HTTP_ERROR -> statusCode(error) >= 500 && statusCode(error) <= 599;
            default -> false;
        };
    }

    /** {@code details.status_code} of an HTTP error, or 0. */
    static int statusCode(ExecError error) {
        Object status = error.details() == null ? null : error.details().get("status_code");
        return status instanceof Number n ? n.intValue() : 0;
    }

    /** {@code details.retry_after_ms} of a 429/503 answer, or 0 when the server gave none. */
    static long retryAfterMs(StepResult result) {
        ExecError error = result.error().orElse(null);
        if (error == null || error.code() != ErrorCode.HTTP_ERROR || error.details() == null) {
            return 0;
        }
        Object value = error.details().get("retry_after_ms");
        return value instanceof Number n ? Math.max(0, n.longValue()) : 0;
    }
}
