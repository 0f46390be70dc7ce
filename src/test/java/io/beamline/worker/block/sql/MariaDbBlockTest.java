package io.beamline.worker.block.sql;

import static io.beamline.worker.block.sql.SqlSteps.assertFailed;
import static io.beamline.worker.block.sql.SqlSteps.context;
import static io.beamline.worker.block.sql.SqlSteps.job;
import static io.beamline.worker.block.sql.SqlSteps.output;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.SqlOutput;
import io.beamline.worker.contract.StepResult;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** sql.query against the machine's MariaDB (127.0.0.1:3306, root, database test), in a table of its own. */
class MariaDbBlockTest {
    private static final String URL = "jdbc:mariadb://127.0.0.1:3306/test?user=root";
    private static final String TABLE = "sqlblock_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

    @TempDir
    Path dataDir;
    private SqlBlock block;

    @BeforeAll
    static void createTable() throws SQLException {
        try {
            DriverManager.getConnection(URL).close();
        } catch (SQLException e) {
            throw new AssertionError("MariaDB at 127.0.0.1:3306 (user root, empty password, database test) is part of"
                    + " this machine and must be running for these tests: " + e.getMessage(), e);
        }
        SqlSteps.execute(URL,
                "CREATE TABLE " + TABLE + " (id INT PRIMARY KEY, name TEXT, t DATETIME, n DECIMAL(10,2),"
                        + " big BIGINT UNSIGNED, nothing TEXT)",
                "INSERT INTO " + TABLE + " VALUES (123, 'John', '2020-01-02 03:04:05', 1.50, 18446744073709551615, NULL),"
                        + " (456, 'Jane', '2021-01-02 03:04:05', 2.50, 1, NULL)");
    }

    @AfterAll
    static void dropTable() throws SQLException {
        SqlSteps.execute(URL, "DROP TABLE IF EXISTS " + TABLE);
    }

    @BeforeEach
    void createBlock() {
        block = new SqlBlock(config(), new TenantPaths(dataDir));
    }

    @AfterEach
    void closeBlock() {
        block.close();
    }

    private static SqlConfig config() {
        return new SqlConfig(Map.of("maria", URL), 1_000, 2, 1, 4, Duration.ofSeconds(30), Duration.ofSeconds(2));
    }

    @Test
    void selectWithParametersReturnsTypedRows() throws Exception {
        SqlOutput output = output(block.execute(job("maria", "SELECT * FROM " + TABLE + " WHERE id = ?", 123L), context("t1")));

        Map<String, Object> row = output.rows().getFirst();
        assertThat(row.keySet()).containsExactly("id", "name", "t", "n", "big", "nothing");
        assertThat(row.get("id")).isEqualTo(123L);
        assertThat(row.get("name")).isEqualTo("John");
        assertThat(row.get("t")).isEqualTo("2020-01-02T03:04:05");
        assertThat(row.get("n")).isEqualTo(new BigDecimal("1.50"));
        assertThat(row.get("big")).isEqualTo(new BigInteger("18446744073709551615"));
        assertThat(row).containsEntry("nothing", null);
    }

    @Test
    void showIsARead() throws Exception {
        SqlOutput output = output(block.execute(job("maria", "SHOW TABLES LIKE '" + TABLE + "'"), context("t1")));

        assertThat(output.rowCount()).isEqualTo(1);
    }

    static Stream<Arguments> hostileStatements() {
        return Stream.of(
                Arguments.of("INSERT INTO " + TABLE + " (id) VALUES (9)", ErrorCode.PERMISSION_DENIED),
                Arguments.of("UPDATE " + TABLE + " SET name = 'x'", ErrorCode.PERMISSION_DENIED),
                Arguments.of("DELETE FROM " + TABLE, ErrorCode.PERMISSION_DENIED),
                Arguments.of("DROP TABLE " + TABLE, ErrorCode.PERMISSION_DENIED),
                Arguments.of("SET SESSION TRANSACTION READ WRITE", ErrorCode.PERMISSION_DENIED),
                Arguments.of("SELECT * FROM " + TABLE + " INTO OUTFILE '/tmp/sqlblock-stolen.txt'", ErrorCode.PERMISSION_DENIED),
                Arguments.of("SELECT 1; DELETE FROM " + TABLE, ErrorCode.INVALID_INPUT),
                Arguments.of("SELECT 'a\\';'; DELETE FROM " + TABLE, ErrorCode.INVALID_INPUT),
                Arguments.of("SELECT 1 /*!; DELETE FROM " + TABLE + " */", ErrorCode.INVALID_INPUT),
                Arguments.of("SELECT 1 # comment\n; DELETE FROM " + TABLE, ErrorCode.INVALID_INPUT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileStatements")
    void hostileStatementsAreRefusedAndChangeNothing(String query, ErrorCode expected) throws Exception {
        StepResult result = block.execute(job("maria", query), context("t1"));

        assertFailed(result, expected);
        assertRowsUnchanged();
    }

    @Test
    void aNamedLockDoesNotOutliveItsQuery() throws Exception {
        String lock = "beamline_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

        SqlOutput locked = output(block.execute(job("maria", "SELECT GET_LOCK(?, 0) AS l", lock), context("t1")));

        assertThat(locked.rows()).containsExactly(Map.of("l", 1L));
        assertThat(SqlSteps.query(URL, "SELECT IS_USED_LOCK('" + lock + "') AS holder"))
                .as("released after the query, though a rollback keeps named locks")
                .singleElement().satisfies(row -> assertThat(row).containsEntry("holder", null));
    }

    @Test
    void aLastInsertIdSetByOneQueryIsNotSeenByTheNext() throws Exception {
        SqlOutput read = secondOnOneConnection("SELECT LAST_INSERT_ID(424242) AS v", "SELECT LAST_INSERT_ID() AS v");

        assertThat(read.rows()).containsExactly(Map.of("v", 0L));
    }

    @Test
    void aUserVariableIsNotSeenByTheNextQuery() throws Exception {
        SqlOutput read = secondOnOneConnection("SELECT @secret := 'tenant one' AS s", "SELECT @secret AS s");

        assertThat(read.rows()).singleElement().satisfies(row -> assertThat(row).containsEntry("s", null));
    }

    /**
     * Runs {@code first} for one tenant, then {@code second} for another, on a pool of one
     * connection, so the second query would get the first one's session back; its output.
     */
    private SqlOutput secondOnOneConnection(String first, String second) throws Exception {
        try (SqlBlock single = new SqlBlock(new SqlConfig(Map.of("maria", URL), 1_000, 1, 1, 4, Duration.ofSeconds(30),
                Duration.ofSeconds(2)), new TenantPaths(dataDir))) {
            output(single.execute(job("maria", first), context("t1")));
            return output(single.execute(job("maria", second), context("t2")));
        }
    }

    @Test
    void rowsOfLargeValuesFailTheStepInsteadOfFillingTheHeap() throws Exception {
        StepResult result = block.execute(job("maria", "SELECT REPEAT('x', 3000000) AS s FROM " + TABLE + " a, " + TABLE + " b"),
                context("t1"));

        assertFailed(result, ErrorCode.EXECUTION_FAILED);
        assertThat(result.error().orElseThrow().details()).containsEntry("max_result_bytes", SqlConfig.DEFAULT_MAX_RESULT_BYTES);
        assertThat(output(block.execute(job("maria", "SELECT 1 AS one"), context("t1"))).rows()).containsExactly(Map.of("one", 1L));
    }

    @Test
    void theDatabaseRefusesWritesThatSkipTheStatementCheck() throws Exception {
        var target = new ConnectionTarget.Named("maria", URL, Dialect.MARIADB);
        try (var unguarded = new SqlSteps.Unguarded(config())) {
            for (String write : List.of("INSERT INTO " + TABLE + " (id) VALUES (9)", "UPDATE " + TABLE + " SET name = 'x'",
                    "DELETE FROM " + TABLE)) {
                Outcome<SqlOutput> outcome = unguarded.run(target, write);
                assertThat(SqlSteps.errorCode(outcome)).as(write).isEqualTo(ErrorCode.PERMISSION_DENIED);
                assertThat(((Outcome.Failure<SqlOutput>) outcome).error().details()).containsEntry("vendor_code", 1792);
            }
        }
        assertRowsUnchanged();
    }

    @Test
    void aSlowQueryTimesOut() throws Exception {
        long started = System.nanoTime();
        StepResult result = block.execute(job("maria", "SELECT SLEEP(5)", null, 1_000L), context("t1"));

        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("returned within 3 s of a 1 s timeout")
                .isLessThan(Duration.ofSeconds(4));
    }

    private static void assertRowsUnchanged() throws SQLException {
        assertThat(SqlSteps.query(URL, "SELECT id, name FROM " + TABLE + " ORDER BY id")).containsExactly(
                Map.of("id", 123, "name", "John"), Map.of("id", 456, "name", "Jane"));
    }
}
