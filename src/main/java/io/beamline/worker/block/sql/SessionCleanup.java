package io.beamline.worker.block.sql;

import java.security.SecureRandom;
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
 *   <li>values a later query reads back: PostgreSQL's random seed ({@code setseed}, which made
 *       the next tenant's {@code random()} predictable; it is reseeded from the worker's own
 *       random source) and MariaDB's {@code LAST_INSERT_ID(n)} (set back to 0);</li>
 *   <li>MariaDB user variables ({@code SELECT @v := ...}), which the next query on the
 *       connection could read. No statement clears them all, so a connection whose query
 *       named one ({@code @} anywhere in its text, a false alarm in a string literal costs one
 *       reconnect) is retired instead of reused.</li>
 * </ul>
 * One statement after every query does the resetting, not only after those that name such a
 * function: a name can be spelled so that no text check finds it ({@code U&"..."} identifiers).
 * Session settings ({@code set_config}) are transactional and undone by the rollback; writes,
 * {@code SET}, {@code PREPARE}, {@code LISTEN} and the like never get this far. SQLite files are
 * per tenant and keep no such state. Stateless.
 */
final class SessionCleanup {
    private static final SecureRandom SEEDS = new SecureRandom();

    private SessionCleanup() {
    }

    /** Cleans the session up after {@code sql}, its transaction rolled back; false when the connection must be retired instead of reused. */
    static boolean cleanUp(Connection connection, Dialect dialect, String sql) throws SQLException {
        switch (dialect) {
            case POSTGRESQL -> reset(connection, "SELECT pg_advisory_unlock_all(), setseed(" + (SEEDS.nextDouble() * 2 - 1) + ")");
            case MARIADB -> {
                if (sql.indexOf('@') >= 0) {
                    return false;
                }
                reset(connection, "SELECT RELEASE_ALL_LOCKS(), LAST_INSERT_ID(0)");
            }
            case SQLITE -> { }
        }
        return true;
    }

    /** Runs the reset in a transaction of its own (auto-commit is off) and ends it. */
    private static void reset(Connection connection, String statement) throws SQLException {
        try (Statement reset = connection.createStatement()) {
            reset.execute(statement);
        }
        connection.rollback();
    }
}
