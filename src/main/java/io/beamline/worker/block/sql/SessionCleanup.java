package io.beamline.worker.block.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Undoes what a read-only query can leave on a pooled connection that the rollback after it
 * does not, so the next borrower (maybe another tenant's step) finds the session as new:
 * <ul>
 *   <li>session-level locks, PostgreSQL's {@code pg_advisory_lock} and MariaDB's
 *       {@code GET_LOCK}: a rollback keeps them, so they stayed held for as long as the pool
 *       kept the connection, blocking whoever else takes the same lock (the operator's own
 *       applications included);</li>
 *   <li>MariaDB user variables ({@code SELECT @v := ...}), which the next query on the
 *       connection could read. No statement clears them all, so a connection whose query
 *       named one ({@code @} anywhere in its text, a false alarm in a string literal costs one
 *       reconnect) is retired instead of reused.</li>
 * </ul>
 * The locks are released by one statement after every query, not only those that name a lock
 * function: a name can be spelled so that no text check finds it ({@code U&"..."} identifiers).
 * SQLite files are per tenant and keep no such state. Stateless.
 */
final class SessionCleanup {
    private SessionCleanup() {
    }

    /** Cleans the session up after {@code sql}, its transaction rolled back; false when the connection must be retired instead of reused. */
    static boolean cleanUp(Connection connection, Dialect dialect, String sql) throws SQLException {
        switch (dialect) {
            case POSTGRESQL -> releaseLocks(connection, "SELECT pg_advisory_unlock_all()");
            case MARIADB -> {
                if (sql.indexOf('@') >= 0) {
                    return false;
                }
                releaseLocks(connection, "SELECT RELEASE_ALL_LOCKS()");
            }
            case SQLITE -> { }
        }
        return true;
    }

    /** Runs the release in a transaction of its own (auto-commit is off) and ends it. */
    private static void releaseLocks(Connection connection, String statement) throws SQLException {
        try (Statement release = connection.createStatement()) {
            release.execute(statement);
        }
        connection.rollback();
    }
}
