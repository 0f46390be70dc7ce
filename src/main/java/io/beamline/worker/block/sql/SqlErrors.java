package io.beamline.worker.block.sql;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.sqlite.SQLiteException;

/**
 * Classifies a JDBC failure into the contract's error codes, by SQLState (SQLite, which has
 * none, by its result code), with {@code sql_state} in the details:
 * <ul>
 *   <li>write refused by a read-only transaction (25006, SQLite READONLY, MariaDB 1792),
 *       changing the transaction's mode (25001) or missing privilege (42501) → 2003;</li>
 *   <li>query timeout (57014, {@link SQLTimeoutException}, SQLite INTERRUPT) → 5002;</li>
 *   <li>connection failure (class 08) → 3001, retryable;</li>
 *   <li>credentials refused (class 28, also behind the pool's "no connection") → 2003: the
 *       operator's connection is misconfigured, which no retry mends;</li>
 *   <li>the connection's database does not exist (3D000, also behind the pool's "no
 *       connection") → 2001, not retryable, for the same reason;</li>
 *   <li>serialization failure or deadlock (40001, 40P01), insufficient resources (class 53),
 *       no pooled connection in time, SQLite BUSY/LOCKED → 2002, retryable;</li>
 *   <li>other syntax or access rule violations (class 42), SQLite ERROR → 1001;</li>
 *   <li>anything else → 2001.</li>
 * </ul>
 * Connection failures get a generic message: a driver's text may name the operator's hosts.
 * Stateless; thread-safe.
 */
public final class SqlErrors {
    private static final int MAX_MESSAGE_LENGTH = 300;
    /** MariaDB: database, table, column or privilege access denied (SQLState 42000). */
    private static final Set<Integer> MARIADB_ACCESS_DENIED = Set.of(1044, 1142, 1143, 1227);

    private SqlErrors() {
    }

    public static ExecError classify(SQLException failure) {
        ErrorCode code = code(failure);
        Map<String, Object> details = new LinkedHashMap<>();
        if (failure.getSQLState() != null) {
            details.put("sql_state", failure.getSQLState());
        }
        if (failure instanceof SQLiteException sqlite) {
            details.put("sqlite_code", sqlite.getResultCode().name());
        } else if (failure.getErrorCode() != 0) {
            details.put("vendor_code", failure.getErrorCode());
        }
        return ExecError.of(code, message(code, failure), Collections.unmodifiableMap(details));
    }

    static ErrorCode code(SQLException failure) {
        String state = failure.getSQLState() == null ? "" : failure.getSQLState();
        if (failure instanceof SQLTimeoutException || state.equals("57014") || state.equals("70100")) {
            return ErrorCode.CANCELLED_BY_TIMEOUT;
        }
        if (failure instanceof SQLiteException sqlite) {
            return sqlite(sqlite.getResultCode().name());
        }
        if (credentialsRefused(failure)) {
            return ErrorCode.PERMISSION_DENIED;
        }
        if (noSuchDatabase(failure)) {
            return ErrorCode.EXECUTION_FAILED;
        }
        if (state.equals("25006") || state.equals("25001") || state.equals("42501")
                || (state.startsWith("42") && MARIADB_ACCESS_DENIED.contains(failure.getErrorCode()))) {
            return ErrorCode.PERMISSION_DENIED;
        }
        if (state.startsWith("08")) {
            return ErrorCode.NETWORK_ERROR;
        }
        if (state.equals("40001") || state.equals("40P01") || state.startsWith("53")
                || failure instanceof SQLTransientConnectionException) {
            return ErrorCode.RESOURCE_UNAVAILABLE;
        }
        if (state.startsWith("42")) {
            return ErrorCode.INVALID_INPUT;
        }
        return ErrorCode.EXECUTION_FAILED;
    }

    /**
     * Whether the server refused the connection's user or password (SQLState class 28). The pool
     * reports it as "no connection available" with the driver's failure as its cause (and, with
     * HikariCP, its SQLState): taken for a busy pool, it was retried as if it would pass.
     */
    private static boolean credentialsRefused(SQLException failure) {
        return hasState(failure, "28");
    }

    /** Whether the connection names a database the server does not have (3D000), the pool's "no connection" included. */
    private static boolean noSuchDatabase(SQLException failure) {
        return hasState(failure, "3D000");
    }

    /** Whether the failure or one of its causes has an SQLState starting with {@code prefix}. */
    private static boolean hasState(SQLException failure, String prefix) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    /** Extended result codes share their primary code's prefix (SQLITE_READONLY_DBMOVED, …). */
    private static ErrorCode sqlite(String resultCode) {
        if (resultCode.startsWith("SQLITE_READONLY") || resultCode.startsWith("SQLITE_AUTH")
                || resultCode.startsWith("SQLITE_PERM")) {
            return ErrorCode.PERMISSION_DENIED;
        }
        if (resultCode.startsWith("SQLITE_BUSY") || resultCode.startsWith("SQLITE_LOCKED")) {
            return ErrorCode.RESOURCE_UNAVAILABLE;
        }
        if (resultCode.equals("SQLITE_INTERRUPT")) {
            return ErrorCode.CANCELLED_BY_TIMEOUT;
        }
        if (resultCode.startsWith("SQLITE_ERROR") || resultCode.equals("SQLITE_RANGE")
                || resultCode.equals("SQLITE_MISMATCH")) {
            return ErrorCode.INVALID_INPUT;
        }
        return ErrorCode.EXECUTION_FAILED;
    }

    private static String message(ErrorCode code, SQLException failure) {
        return switch (code) {
            case NETWORK_ERROR -> "database connection failed";
            case RESOURCE_UNAVAILABLE -> failure instanceof SQLTransientConnectionException
                    ? "no database connection available"
                    : "the database is busy: " + driverText(failure);
            // the driver's text about credentials names the operator's user: not for the Router
            case PERMISSION_DENIED -> credentialsRefused(failure)
                    ? "the database refused the credentials of this connection; check the operator's --sql-connection settings"
                    : "the database refused the statement (connections are read-only): " + driverText(failure);
            case CANCELLED_BY_TIMEOUT -> "query timed out";
            default -> noSuchDatabase(failure)
                    ? "the database this connection names does not exist; check the operator's --sql-connection settings"
                    : "query failed: " + driverText(failure);
        };
    }

    /** The driver's first line, shortened: enough to fix a query, not a stack of server detail. */
    private static String driverText(SQLException failure) {
        String text = String.valueOf(failure.getMessage()).strip();
        int newline = text.indexOf('\n');
        if (newline >= 0) {
            text = text.substring(0, newline).strip();
        }
        return text.length() <= MAX_MESSAGE_LENGTH ? text : text.substring(0, MAX_MESSAGE_LENGTH) + "…";
    }
}
