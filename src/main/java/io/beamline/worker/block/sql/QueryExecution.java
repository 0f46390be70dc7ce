package io.beamline.worker.block.sql;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.SqlOutput;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Runs one query on a platform thread of its own while the step's thread waits, so that
 * interrupting the step stops the query on the server.
 *
 * <p>Why a platform thread: SQLite runs a statement in native code, and native code holds a
 * virtual thread's carrier for as long as it runs (the JDK adds no carrier for it, as it does for
 * file I/O). Two runaway SQLite queries on virtual threads held both carriers of a two-core
 * machine: the timeout watchdog, every other step and the health endpoint waited for ever, and
 * the worker had to be killed.
 *
 * <p>Why not run JDBC on the step's own thread: interrupting a virtual thread blocked in a
 * socket read closes the socket. The driver then fails with a broken connection while the
 * server keeps running the query (PostgreSQL does not notice a vanished client during
 * {@code pg_sleep}), and the pool loses a connection. Here the step's thread only waits; when
 * interrupted it asks the {@link QueryWatch} to cancel (the driver's server-side cancel),
 * repeating until the query thread has let go of its connection (at most {@link #CANCEL_GRACE};
 * repeating covers a cancel that lands just before the statement reached the server), then
 * rethrows the {@link InterruptedException}.
 *
 * <p>Timeouts: the driver's own query timeout ({@code Statement.setQueryTimeout}) normally
 * ends a slow query. sqlite-jdbc does not enforce it on a busy query, so a watchdog here also
 * cancels any statement still executing {@link #TIMEOUT_GRACE} after its timeout and reports
 * 5002. Stateless; thread-safe.
 */
final class QueryExecution {
    private static final long POLL_MS = 50;
    private static final Duration TIMEOUT_GRACE = Duration.ofMillis(500);
    private static final Duration CANCEL_GRACE = Duration.ofSeconds(5);
    /** Reused platform threads; as many as queries run at once (bounded by the pools' slots). */
    private static final ExecutorService QUERY_THREADS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("sql-query-", 0).daemon(true).factory());

    private QueryExecution() {
    }

    static Outcome<SqlOutput> run(Function<QueryWatch, Outcome<SqlOutput>> query, Duration timeout)
            throws InterruptedException {
        QueryWatch watch = new QueryWatch();
        FutureTask<Outcome<SqlOutput>> task = new FutureTask<>(() -> {
            try {
                return watch.start()
                        ? query.apply(watch)
                        : Outcome.failure(ExecError.of(ErrorCode.CANCELLED_BY_USER, "query cancelled"));
            } finally {
                watch.finished();
            }
        });
        QUERY_THREADS.execute(task);
        try {
            while (true) {
                try {
                    return task.get(POLL_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException stillRunning) {
                    if (watch.executingLongerThan(timeout.plus(TIMEOUT_GRACE))) {
                        cancelUntilDone(watch, task);
                        return Outcome.failure(ExecError.of(ErrorCode.CANCELLED_BY_TIMEOUT,
                                "query timed out after " + timeout.toMillis() + " ms"));
                    }
                }
            }
        } catch (InterruptedException e) {
            cancelUntilDone(watch, task);
            throw e;
        } catch (ExecutionException e) {
            return Outcome.failure(ExecError.of(ErrorCode.INTERNAL_ERROR, "query failed unexpectedly: " + e.getCause()));
        }
    }

    /** Cancels until the query thread is done; keeps a new interrupt for the caller to see. */
    private static void cancelUntilDone(QueryWatch watch, FutureTask<?> task) {
        long deadline = System.nanoTime() + CANCEL_GRACE.toNanos();
        boolean interrupted = false;
        while (!task.isDone() && System.nanoTime() < deadline) {
            watch.cancel();
            try {
                task.get(POLL_MS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException | TimeoutException e) {
                // done with an error, or not yet done: the loop condition decides
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
