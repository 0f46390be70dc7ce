package io.beamline.worker.block.sql;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Consumer;

/**
 * A pooled connection borrowed for one query. Closing it returns the connection to its pool and
 * then runs {@code release} (the SQLite pools count their borrowers so that an evicted pool is
 * closed only once nobody uses it). {@link #retire} has the pool close the connection instead of
 * handing it out again ({@code evict}). Used by one thread.
 */
record ConnectionLease(Connection connection, Runnable release, Consumer<Connection> evict) implements AutoCloseable {

    static ConnectionLease of(Connection connection, Consumer<Connection> evict) {
        return new ConnectionLease(connection, () -> { }, evict);
    }

    /** The connection is not to be reused: its pool closes it now and opens another when needed. */
    void retire() {
        evict.accept(connection);
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
