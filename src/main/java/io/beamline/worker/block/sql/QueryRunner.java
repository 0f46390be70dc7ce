package io.beamline.worker.block.sql;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.SqlOutput;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Runs one checked statement on a pooled read-only connection: prepare, check and bind the
 * parameters, execute with the row limit and query timeout, read the rows, and roll the
 * transaction back, so nothing a query did (a session setting, a write a driver let through)
 * outlives it; what a rollback keeps (session locks, user variables) {@link SessionCleanup}
 * undoes, or the connection is retired. Runs on the query thread of a {@link QueryExecution}.
 * Thread-safe.
 */
final class QueryRunner {
    /** Rows fetched per round trip; PostgreSQL and MariaDB stream instead of loading everything. */
    private static final int MAX_FETCH_SIZE = 500;
    /**
     * MariaDB streams a result without round trips, the fetch size only sets how many rows the
     * driver holds at once: few, as one row may be as large as max_allowed_packet.
     */
    private static final int MARIADB_FETCH_SIZE = 8;

    private final SqlitePools sqlitePools;
    private final NamedPools namedPools;
    private final int maxResultBytes;

    QueryRunner(SqlitePools sqlitePools, NamedPools namedPools, int maxResultBytes) {
        this.sqlitePools = sqlitePools;
        this.namedPools = namedPools;
        this.maxResultBytes = maxResultBytes;
    }

    Outcome<SqlOutput> run(ConnectionTarget target, Query query, QueryWatch watch) {
        try (ConnectionLease lease = open(target);
             PreparedStatement statement = lease.connection().prepareStatement(
                     query.sql(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
            try {
                return execute(statement, target.dialect(), query, watch);
            } finally {
                end(lease, target.dialect(), query);
            }
        } catch (NoSuchFileException e) {
            return failure(ErrorCode.EXECUTION_FAILED, "database not found: " + databaseName(target));
        } catch (IOException e) {
            return failure(ErrorCode.EXECUTION_FAILED, "cannot open database " + databaseName(target) + ": " + e.getMessage());
        } catch (SQLException e) {
            if (e instanceof SQLiteException sqlite && sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CANTOPEN_SYMLINK) {
                // the file's real path had no link when checked: one was swapped in before SQLite opened it
                return failure(ErrorCode.PERMISSION_DENIED, "path refused: " + databaseName(target)
                        + " changed into a symbolic link while it was opened");
            }
            return Outcome.failure(exceedsResultLimit(e) ? tooLarge(maxResultBytes) : SqlErrors.classify(e));
        }
    }

    /**
     * Whether the driver or the database stopped a value or a batch of rows larger than a result
     * may be: PostgreSQL's maxResultBuffer (reported as a communication error, 08S01, which it is
     * not), SQLite's length limit.
     */
    private static boolean exceedsResultLimit(SQLException e) {
        if (e instanceof SQLiteException sqlite) {
            return sqlite.getResultCode() == SQLiteErrorCode.SQLITE_TOOBIG;
        }
        return e.getMessage() != null && e.getMessage().contains("maxResultBuffer");
    }

    private Outcome<SqlOutput> execute(PreparedStatement statement, Dialect dialect, Query query, QueryWatch watch)
            throws SQLException {
        Optional<ExecError> unbound = Parameters.bind(statement, query.parameters());
        if (unbound.isPresent()) {
            return Outcome.failure(unbound.get());
        }
        statement.setQueryTimeout(query.timeoutSeconds());
        statement.setMaxRows(query.rowLimit() + 1);
        statement.setFetchSize(Math.min(query.rowLimit() + 1, dialect == Dialect.MARIADB ? MARIADB_FETCH_SIZE : MAX_FETCH_SIZE));
        if (!watch.executing(statement)) {
            return failure(ErrorCode.CANCELLED_BY_USER, "query cancelled");
        }
        try {
            if (!statement.execute()) {
                return Outcome.success(SqlOutput.of(List.of()));
            }
            try (ResultSet rows = statement.getResultSet()) {
                return Outcome.success(RowReader.read(rows, dialect, query.rowLimit(), maxResultBytes));
            } catch (RowReader.ResultTooLargeException e) {
                return Outcome.failure(tooLarge(maxResultBytes));
            }
        } finally {
            watch.finished();
        }
    }

    private ConnectionLease open(ConnectionTarget target) throws IOException, SQLException {
        return switch (target) {
            case ConnectionTarget.SqliteFile sqlite -> sqlitePools.connection(sqlite.file());
            case ConnectionTarget.Named named -> namedPools.connection(named);
        };
    }

    /**
     * Leaves the connection as the pool handed it out, or retires it when that cannot be made
     * sure of. The rollback comes first: after a failed statement PostgreSQL takes no other
     * until the transaction ends.
     */
    private static void end(ConnectionLease lease, Dialect dialect, Query query) {
        Connection connection = lease.connection();
        boolean reusable;
        try {
            connection.rollback();
            reusable = SessionCleanup.cleanUp(connection, dialect, query.sql());
        } catch (SQLException e) {
            reusable = false;  // a connection that cannot roll back or clean up is not handed out again
        }
        if (!reusable) {
            lease.retire();
        }
    }

    /** The rows would not fit the result: the query must select less (not retryable, it would read the same). */
    private static ExecError tooLarge(int maxResultBytes) {
        return ExecError.of(ErrorCode.EXECUTION_FAILED, "the query's rows hold more than the " + maxResultBytes
                + " bytes a result may (--sql-max-result-bytes); select fewer rows, fewer columns or smaller values",
                Map.of("max_result_bytes", maxResultBytes));
    }

    private static String databaseName(ConnectionTarget target) {
        return switch (target) {
            case ConnectionTarget.SqliteFile sqlite -> ConnectionResolver.SQLITE_PREFIX + sqlite.name();
            case ConnectionTarget.Named named -> named.name();
        };
    }

    private static Outcome<SqlOutput> failure(ErrorCode code, String message) {
        return Outcome.failure(ExecError.of(code, message));
    }
}
