package io.beamline.worker.block.sql;

import io.beamline.worker.contract.ExecError;

/**
 * The result of one stage of a query (checking the statement, resolving the connection,
 * running it): a value, or the error the step ends with. Failures travel as values so the
 * block turns every one of them into a {@code StepResult} in one place. Immutable.
 */
sealed interface Outcome<T> {

    record Success<T>(T value) implements Outcome<T> {
    }

    record Failure<T>(ExecError error) implements Outcome<T> {
    }

    static <T> Outcome<T> success(T value) {
        return new Success<>(value);
    }

    static <T> Outcome<T> failure(ExecError error) {
        return new Failure<>(error);
    }
}
