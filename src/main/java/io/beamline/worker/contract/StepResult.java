package io.beamline.worker.contract;

import java.util.Optional;

/**
 * The outcome of one execution of a block (the seeds' {@code StepResult}). A failed step is a
 * value, not an exception: blocks return one of these and each policy (retry, breaker, timeout)
 * decides what a failure means. {@code output} is the block's result object (a record such as
 * {@link HttpOutput}) serialised as {@code result}.
 */
public sealed interface StepResult {

    StepStatus status();

    long latencyMs();

    Optional<ExecError> error();

    record Succeeded(Object output, long latencyMs) implements StepResult {
        public StepStatus status() {
            return StepStatus.SUCCESS;
        }

        public Optional<ExecError> error() {
            return Optional.empty();
        }
    }

    record Failed(ExecError cause, long latencyMs) implements StepResult {
        public StepStatus status() {
            return StepStatus.ERROR;
        }

        public Optional<ExecError> error() {
            return Optional.of(cause);
        }
    }

    record TimedOut(ExecError cause, long latencyMs) implements StepResult {
        public StepStatus status() {
            return StepStatus.TIMEOUT;
        }

        public Optional<ExecError> error() {
            return Optional.of(cause);
        }
    }

    record Cancelled(ExecError cause, long latencyMs) implements StepResult {
        public StepStatus status() {
            return StepStatus.CANCELLED;
        }

        public Optional<ExecError> error() {
            return Optional.of(cause);
        }
    }

    static StepResult failed(ErrorCode code, String message, long latencyMs) {
        return new Failed(ExecError.of(code, message), latencyMs);
    }

    static StepResult timedOut(String message, long latencyMs) {
        return new TimedOut(ExecError.of(ErrorCode.CANCELLED_BY_TIMEOUT, message), latencyMs);
    }

    static StepResult cancelled(String message, long latencyMs) {
        return new Cancelled(ExecError.of(ErrorCode.CANCELLED_BY_USER, message), latencyMs);
    }
}
