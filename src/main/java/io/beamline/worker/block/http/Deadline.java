package io.beamline.worker.block.http;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The moment a step's total budget runs out, and the one way this block waits: on a future,
 * until the deadline. A wait that times out or is interrupted cancels the future with
 * {@code cancel(true)}, which for the JDK HTTP client aborts the exchange and closes its
 * connection, so nothing keeps running after the step has given up. Immutable.
 */
record Deadline(long nanos, Duration budget) {

    static Deadline after(Duration budget) {
        return new Deadline(System.nanoTime() + budget.toNanos(), budget);
    }

    /**
     * The value of {@code future}, unwrapped from {@link ExecutionException}.
     *
     * @throws TimeoutException     when the deadline passed first (the future is cancelled)
     * @throws InterruptedException when the thread was interrupted (the future is cancelled)
     * @throws IOException          the future's own failure
     */
    <T> T await(CompletableFuture<T> future) throws IOException, InterruptedException, TimeoutException {
        try {
            return future.get(Math.max(0, nanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException | TimeoutException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            throw rethrowable(e.getCause());
        }
    }

    private static IOException rethrowable(Throwable cause) {
        Throwable root = cause;
        while (root instanceof CompletionException && root.getCause() != null) {
            root = root.getCause();
        }
        return switch (root) {
            case IOException io -> io;
            case RuntimeException runtime -> throw runtime;
            case Error error -> throw error;
            default -> new IOException(root);
        };
    }
}
