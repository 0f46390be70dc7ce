package io.beamline.worker.block.sql;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A pooled connection borrowed for one query. Closing it returns the connection to its pool and
 * then runs {@code release} (the SQLite pools count their borrowers so that an evicted pool is
 * closed only once nobody uses it). Used by one thread.
 */
record ConnectionLease(Connection connection, Runnable release) implements AutoCloseable {

    static ConnectionLease of(Connection connection) {
        return new ConnectionLease(connection, () -> { });
    }

    @Override
    public void close() throws SQLException {
        try {
            connection.close();
        } finally {
            release.run();
        }
    }
}
