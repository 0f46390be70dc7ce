package io.beamline.worker.block.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

class SqlErrorsTest {

    @ParameterizedTest(name = "{0} → {1}")
    @CsvSource({
            "25006, PERMISSION_DENIED", "25001, PERMISSION_DENIED", "42501, PERMISSION_DENIED",
            "42601, INVALID_INPUT", "42P01, INVALID_INPUT",
            "08006, NETWORK_ERROR", "08001, NETWORK_ERROR",
            "40001, RESOURCE_UNAVAILABLE", "40P01, RESOURCE_UNAVAILABLE", "53300, RESOURCE_UNAVAILABLE",
            "57014, CANCELLED_BY_TIMEOUT", "22012, EXECUTION_FAILED", "XX000, EXECUTION_FAILED"})
    void sqlStatesMapToErrorCodes(String sqlState, ErrorCode expected) {
        ExecError error = SqlErrors.classify(new SQLException("boom", sqlState));

        assertThat(error.code()).isEqualTo(expected);
        assertThat(error.retryable()).isEqualTo(expected.retryable());
        assertThat(error.details()).containsEntry("sql_state", sqlState);
    }

    @Test
    void connectionFailuresAndDeadlocksAreRetryable() {
        assertThat(SqlErrors.classify(new SQLException("reset", "08006")).isRetryable()).isTrue();
        assertThat(SqlErrors.classify(new SQLException("deadlock", "40P01")).isRetryable()).isTrue();
        assertThat(SqlErrors.classify(new SQLException("syntax", "42601")).isRetryable()).isFalse();
    }

    @Test
    void refusedCredentialsBehindThePoolsNoConnectionArePermissionDenied() {
        SQLException refused = new SQLException("password authentication failed for user \"app\"", "28P01");
        ExecError error = SqlErrors.classify(new SQLTransientConnectionException("pool - Connection is not available", null, refused));

        assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(error.isRetryable()).isFalse();
        assertThat(error.message()).doesNotContain("app");
        assertThat(SqlErrors.classify(new SQLException("Access denied for user 'root'", "28000", 1045)).code())
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @Test
    void aDatabaseThatDoesNotExistIsAFailureNoRetryMendsNotABusyPool() {
        SQLException missing = new SQLException("database \"nope\" does not exist", "3D000");
        ExecError error = SqlErrors.classify(new SQLTransientConnectionException("pool - Connection is not available", "3D000", missing));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.isRetryable()).isFalse();
        assertThat(error.message()).contains("does not exist").doesNotContain("nope");
    }

    @Test
    void connectionFailureMessagesDoNotRepeatTheDriversText() {
        ExecError error = SqlErrors.classify(new SQLException("Connection to db.internal:5432 refused", "08001"));

        assertThat(error.message()).doesNotContain("db.internal");
    }

    @Test
    void mariadbReadOnlyAndAccessDeniedErrorsArePermissionDenied() {
        assertThat(SqlErrors.classify(new SQLException("Cannot execute statement in a READ ONLY transaction", "25006", 1792)).code())
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        ExecError denied = SqlErrors.classify(new SQLException("INSERT command denied", "42000", 1142));
        assertThat(denied.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(denied.details()).containsEntry("vendor_code", 1142);
        assertThat(SqlErrors.classify(new SQLException("syntax", "42000", 1064)).code()).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void driverTimeoutsAreTimeouts() {
        assertThat(SqlErrors.classify(new SQLTimeoutException("max_statement_time exceeded", "70100")).code())
                .isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
    }

    @Test
    void noPooledConnectionInTimeIsRetryableUnavailability() {
        ExecError error = SqlErrors.classify(new SQLTransientConnectionException("Connection is not available"));

        assertThat(error.code()).isEqualTo(ErrorCode.RESOURCE_UNAVAILABLE);
        assertThat(error.isRetryable()).isTrue();
    }

    @Test
    void sqliteResultCodesMapToErrorCodes() {
        assertThat(SqlErrors.classify(new SQLiteException("readonly", SQLiteErrorCode.SQLITE_READONLY)).code())
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(SqlErrors.classify(new SQLiteException("busy", SQLiteErrorCode.SQLITE_BUSY)).code())
                .isEqualTo(ErrorCode.RESOURCE_UNAVAILABLE);
        assertThat(SqlErrors.classify(new SQLiteException("no such table", SQLiteErrorCode.SQLITE_ERROR)).code())
                .isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(SqlErrors.classify(new SQLiteException("interrupted", SQLiteErrorCode.SQLITE_INTERRUPT)).code())
                .isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
        ExecError corrupt = SqlErrors.classify(new SQLiteException("corrupt", SQLiteErrorCode.SQLITE_CORRUPT));
        assertThat(corrupt.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(corrupt.details()).containsEntry("sqlite_code", "SQLITE_CORRUPT");
    }

    @Test
    void anExceptionWithoutSqlStateIsAnExecutionFailure() {
        ExecError error = SqlErrors.classify(new SQLException("something odd"));

        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.details()).doesNotContainKey("sql_state");
        assertThat(error.message()).contains("something odd");
    }
}
