package io.beamline.worker.block.sql;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Shared by one step's waiting caller and the thread that runs its query, so the caller can
 * stop the query: {@link #cancel()} sends the driver's {@link Statement#cancel()} (PostgreSQL
 * and MariaDB cancel it on the server, SQLite interrupts the connection) while the statement
 * runs, and interrupts the query thread while it still waits for a pooled connection.
 *
 * <p>Thread-safe. The cancel is sent under the lock and {@link #finished()} takes it too, so a
 * cancel can never reach a connection that went back to the pool and serves another query.
 */
final class QueryWatch {
    private enum Phase { NOT_STARTED, CONNECTING, EXECUTING, FINISHED }

    private final ReentrantLock lock = new ReentrantLock();
    private Phase phase = Phase.NOT_STARTED;
    private Thread queryThread;
    private Statement statement;
    private long executingSinceNanos;
    private boolean cancelled;

    /** Called first by the query thread; false when the step was cancelled before it started. */
    boolean start() {
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            phase = Phase.CONNECTING;
            queryThread = Thread.currentThread();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Called by the query thread just before it executes; false when the step was already cancelled. */
    boolean executing(Statement running) {
        lock.lock();
        try {
            if (cancelled) {
                return false;
            }
            phase = Phase.EXECUTING;
            statement = running;
            executingSinceNanos = System.nanoTime();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Called by the query thread once the statement's rows are read or it failed. */
    void finished() {
        lock.lock();
        try {
            phase = Phase.FINISHED;
            statement = null;
        } finally {
            lock.unlock();
        }
    }

    /** Whether the statement has been executing for longer than {@code limit}. */
    boolean executingLongerThan(Duration limit) {
        lock.lock();
        try {
            return phase == Phase.EXECUTING && System.nanoTime() - executingSinceNanos > limit.toNanos();
        } finally {
            lock.unlock();
        }
    }

    /** Stops the query, or keeps it from starting. Idempotent; never throws. */
    void cancel() {
        lock.lock();
        try {
            cancelled = true;
            switch (phase) {
                case CONNECTING -> queryThread.interrupt();
                case EXECUTING -> cancelStatement();
                case NOT_STARTED, FINISHED -> { }
            }
        } finally {
            lock.unlock();
        }
    }

    private void cancelStatement() {
        try {
            statement.cancel();
        } catch (SQLException e) {
            // the statement ended or its connection broke: either way it no longer runs
        }
    }
}
