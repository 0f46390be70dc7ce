package io.beamline.worker.block.sql;

import static io.beamline.worker.block.sql.SqlSteps.assertFailed;
import static io.beamline.worker.block.sql.SqlSteps.context;
import static io.beamline.worker.block.sql.SqlSteps.job;
import static io.beamline.worker.block.sql.SqlSteps.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.SqlOutput;
import io.beamline.worker.contract.StepResult;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
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

/** sql.query against the machine's PostgreSQL (127.0.0.1:5432, user postgres, db test), in a schema of its own. */
class PostgresBlockTest {
    private static final String ADMIN_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
    private static final String SCHEMA = "sqlblock_" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);

    @TempDir
    Path dataDir;
    private SqlBlock block;

    @BeforeAll
    static void createSchema() throws SQLException {
        try {
            DriverManager.getConnection(ADMIN_URL).close();
        } catch (SQLException e) {
            throw new AssertionError("PostgreSQL at 127.0.0.1:5432 (user postgres, database test, trust auth) is part of"
                    + " this machine and must be running for these tests: " + e.getMessage(), e);
        }
        SqlSteps.execute(ADMIN_URL,
                "CREATE SCHEMA " + SCHEMA,
                "CREATE TABLE " + SCHEMA + ".users (id int PRIMARY KEY, name text, email text)",
                "INSERT INTO " + SCHEMA + ".users VALUES (123, 'John', 'john@example.com'), (456, 'Jane', 'jane@example.com')",
                "CREATE TABLE " + SCHEMA + ".typed (i int, big bigint, n numeric(10,2), d double precision, b boolean,"
                        + " t timestamp, tz timestamptz, dt date, tm time, bytes bytea, arr int[], j jsonb, u uuid, nothing text)",
                "INSERT INTO " + SCHEMA + ".typed VALUES (7, 9007199254740993, 1.50, 2.25, true, '2020-01-02 03:04:05',"
                        + " '2020-01-02 03:04:05+00', '2020-01-02', '03:04:05', '\\x0102', '{1,2}', '{\"a\": 1}',"
                        + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', NULL)");
    }

    @AfterAll
    static void dropSchema() throws SQLException {
        SqlSteps.execute(ADMIN_URL, "DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
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
        return new SqlConfig(Map.of("main", ADMIN_URL + "&currentSchema=" + SCHEMA, "down", "jdbc:postgresql://127.0.0.1:1/test",
                        "nobody", "jdbc:postgresql://127.0.0.1:5432/test?user=beamline_no_such_role",
                        "nodb", "jdbc:postgresql://127.0.0.1:5432/beamline_no_such_db?user=postgres"),
                1_000, 2, 1, 4, Duration.ofSeconds(30), Duration.ofSeconds(1));
    }

    @Test
    void selectWithParametersReturnsTypedRows() throws Exception {
        SqlOutput byText = output(block.execute(job("main", "SELECT * FROM users WHERE id = ?", "123"), context("t1")));
        SqlOutput byNumber = output(block.execute(job("main", "SELECT * FROM users WHERE id = ?", 456L), context("t1")));

        assertThat(byText.rows()).containsExactly(Map.of("id", 123L, "name", "John", "email", "john@example.com"));
        assertThat(byText.rowCount()).isEqualTo(1);
        assertThat(byNumber.rows()).containsExactly(Map.of("id", 456L, "name", "Jane", "email", "jane@example.com"));
    }

    @Test
    void textNumberBooleanAndNullParametersAreBound() throws Exception {
        SqlOutput output = output(block.execute(job("main",
                "SELECT ? AS greeting, ? + 1 AS n, ? AS flag, ? * 2 AS d, (SELECT count(*) FROM users WHERE name = COALESCE(?, name)) AS c",
                "hello", 41L, true, 1.25, null), context("t1")));

        assertThat(output.rows()).containsExactly(Map.of("greeting", "hello", "n", 42L, "flag", true, "d", 2.5, "c", 2L));
    }

    @Test
    void valuesKeepTheirJsonTypes() throws Exception {
        Map<String, Object> row = output(block.execute(job("main", "SELECT * FROM typed"), context("t1"))).rows().getFirst();

        assertThat(row.keySet()).containsExactly("i", "big", "n", "d", "b", "t", "tz", "dt", "tm", "bytes", "arr", "j", "u", "nothing");
        assertThat(row.get("i")).isEqualTo(7L);
        assertThat(row.get("big")).isEqualTo(9007199254740993L);
        assertThat(row.get("n")).isEqualTo(new BigDecimal("1.50"));
        assertThat(row.get("d")).isEqualTo(2.25);
        assertThat(row.get("b")).isEqualTo(true);
        assertThat(row.get("t")).isEqualTo("2020-01-02T03:04:05");
        assertThat(row.get("tz")).isEqualTo("2020-01-02T03:04:05Z");
        assertThat(row.get("dt")).isEqualTo("2020-01-02");
        assertThat(row.get("tm")).isEqualTo("03:04:05");
        assertThat(row.get("bytes")).isEqualTo("AQI=");
        assertThat(row.get("arr")).isEqualTo(List.of(1L, 2L));
        assertThat(row.get("j")).isEqualTo("{\"a\": 1}");
        assertThat(row.get("u")).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(row).containsEntry("nothing", null);
    }

    /** Audit finding: array elements went through java.sql.Timestamp and the JVM's zone. */
    @Test
    void arrayElementsKeepTheirOffsetsAndWallClockValues() throws Exception {
        java.util.TimeZone before = java.util.TimeZone.getDefault();
        java.util.TimeZone.setDefault(java.util.TimeZone.getTimeZone("America/New_York"));  // a machine not on UTC
        try {
            Map<String, Object> row = output(block.execute(job("main", "SELECT ARRAY['2020-06-01 12:00:00+00'::timestamptz] AS tz, "
                    + "ARRAY['12:00:00+02'::timetz] AS ttz, ARRAY['2020-03-08 02:30:00'::timestamp] AS gap, "
                    + "ARRAY['2020-01-02'::date, NULL] AS d, ARRAY[ARRAY[1, 2], ARRAY[3, 4]] AS nested, ARRAY['a', 'b'] AS t"),
                    context("t1"))).rows().getFirst();

            assertThat(row.get("tz")).isEqualTo(List.of("2020-06-01T12:00:00Z"));
            assertThat(row.get("ttz")).isEqualTo(List.of("12:00:00+02:00"));
            assertThat(row.get("gap")).as("a wall-clock time New York skips").isEqualTo(List.of("2020-03-08T02:30:00"));
            assertThat(row.get("d")).isEqualTo(java.util.Arrays.asList("2020-01-02", null));
            assertThat(row.get("nested")).isEqualTo(List.of(List.of(1L, 2L), List.of(3L, 4L)));
            assertThat(row.get("t")).isEqualTo(List.of("a", "b"));
        } finally {
            java.util.TimeZone.setDefault(before);
        }
    }

    static Stream<Arguments> hostileStatements() {
        return Stream.of(
                Arguments.of("INSERT INTO users VALUES (9, 'x', 'y')", ErrorCode.PERMISSION_DENIED),
                Arguments.of("UPDATE users SET name = 'x'", ErrorCode.PERMISSION_DENIED),
                Arguments.of("DELETE FROM users", ErrorCode.PERMISSION_DENIED),
                Arguments.of("DROP TABLE users", ErrorCode.PERMISSION_DENIED),
                Arguments.of("TRUNCATE users", ErrorCode.PERMISSION_DENIED),
                Arguments.of("COPY users TO '/tmp/users.csv'", ErrorCode.PERMISSION_DENIED),
                Arguments.of("SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE", ErrorCode.PERMISSION_DENIED),
                Arguments.of("SELECT 1; DELETE FROM users", ErrorCode.INVALID_INPUT),
                Arguments.of("SELECT $$;$$; DELETE FROM users", ErrorCode.INVALID_INPUT),
                Arguments.of("SELECT E'\\';'; DELETE FROM users", ErrorCode.INVALID_INPUT),
                // PostgreSQL refuses these itself: the read-only transaction is the real guarantee
                Arguments.of("WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x", ErrorCode.PERMISSION_DENIED),
                Arguments.of("SELECT * INTO stolen FROM users", ErrorCode.PERMISSION_DENIED),
                Arguments.of("SELECT set_config('transaction_read_only', 'off', false)", ErrorCode.PERMISSION_DENIED),
                Arguments.of("EXPLAIN ANALYZE DELETE FROM users", ErrorCode.PERMISSION_DENIED));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileStatements")
    void hostileStatementsAreRefusedAndChangeNothing(String query, ErrorCode expected) throws Exception {
        StepResult result = block.execute(job("main", query), context("t1"));

        assertFailed(result, expected);
        assertUsersUnchanged();
    }

    @Test
    void aWriteInsideWithIsRefusedByTheReadOnlyTransaction() throws Exception {
        StepResult result = block.execute(job("main", "WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x"), context("t1"));

        assertFailed(result, ErrorCode.PERMISSION_DENIED);
        assertThat(result.error().orElseThrow().details()).containsEntry("sql_state", "25006");
        assertUsersUnchanged();
    }

    @Test
    void aSessionSettingCannotReopenWritesForTheNextQuery() throws Exception {
        output(block.execute(job("main", "SELECT set_config('default_transaction_read_only', 'off', false) AS s"), context("t1")));

        StepResult result = block.execute(job("main", "WITH x AS (DELETE FROM users RETURNING *) SELECT * FROM x"), context("t1"));

        assertFailed(result, ErrorCode.PERMISSION_DENIED);
        assertUsersUnchanged();
    }

    @Test
    void theDatabaseRefusesWritesThatSkipTheStatementCheck() throws Exception {
        var target = new ConnectionTarget.Named("main", ADMIN_URL + "&currentSchema=" + SCHEMA, Dialect.POSTGRESQL);
        try (var unguarded = new SqlSteps.Unguarded(config())) {
            for (String write : List.of("INSERT INTO users VALUES (9, 'x', 'y')", "UPDATE users SET name = 'x'",
                    "DELETE FROM users", "DROP TABLE users", "CREATE TABLE evil (x int)")) {
                assertThat(SqlSteps.errorCode(unguarded.run(target, write))).as(write).isEqualTo(ErrorCode.PERMISSION_DENIED);
            }
        }
        assertUsersUnchanged();
    }

    @Test
    void numberedParametersAreInvalidInputAndLeaveThePoolUsable() throws Exception {
        for (int i = 0; i < 3; i++) {
            StepResult result = block.execute(job("main", "SELECT $1::int AS a", 1L), context("t1"));
            assertFailed(result, ErrorCode.INVALID_INPUT);
            assertThat(result.error().orElseThrow().message()).contains("?");
        }

        assertThat(output(block.execute(job("main", "SELECT ?::int AS ok", 7L), context("t2"))).rows()).containsExactly(Map.of("ok", 7L));
    }

    @Test
    void placeholderCountMustMatchTheParameters() throws Exception {
        assertFailed(block.execute(job("main", "SELECT * FROM users WHERE id = ? AND name = ?", 123L), context("t1")),
                ErrorCode.INVALID_INPUT);
    }

    @Test
    void aSyntaxErrorIsInvalidInputWithItsSqlState() throws Exception {
        StepResult result = block.execute(job("main", "SELECT FROM WHERE"), context("t1"));

        assertFailed(result, ErrorCode.INVALID_INPUT);
        assertThat(result.error().orElseThrow().details()).containsEntry("sql_state", "42601");
    }

    @Test
    void theRowLimitTruncates() throws Exception {
        SqlOutput output = output(block.execute(job("main", "SELECT n FROM generate_series(1, 50) AS n", 20, null), context("t1")));

        assertThat(output.rowCount()).isEqualTo(20);
        assertThat(output.truncated()).isTrue();
    }

    @Test
    void aSlowQueryTimesOut() throws Exception {
        long started = System.nanoTime();
        StepResult result = block.execute(job("main", "SELECT pg_sleep(5)", null, 1_000L), context("t1"));

        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("returned within 3 s of a 1 s timeout")
                .isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void interruptingTheStepCancelsTheQueryOnTheServer() throws Exception {
        String marker = "slept_" + Long.toHexString(System.nanoTime());
        var outcome = new CompletableFuture<Object>();
        Thread step = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(block.execute(job("main", "SELECT pg_sleep(60) AS " + marker), context("t1")));
            } catch (InterruptedException e) {
                outcome.complete(e);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> activeQueries(marker) == 1);

        step.interrupt();

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> activeQueries(marker) == 0);
        assertThat(output(block.execute(job("main", "SELECT 1 AS one"), context("t1"))).rows()).containsExactly(Map.of("one", 1L));
    }

    @Test
    void aSessionAdvisoryLockDoesNotOutliveItsQuery() throws Exception {
        long key = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);

        SqlOutput locked = output(block.execute(job("main", "SELECT pg_advisory_lock(?) AS l", key), context("t1")));

        assertThat(locked.rows()).as("void comes back as null").singleElement().satisfies(row -> assertThat(row).containsEntry("l", null));
        assertThat(advisoryLocks(key)).as("released after the query, though a rollback keeps session locks").isZero();
    }

    @Test
    void aRandomSeedSetByOneQueryDoesNotMakeTheNextPredictable() throws Exception {
        // one connection, so the second query would get the first one's session back
        try (SqlBlock single = new SqlBlock(new SqlConfig(Map.of("main", ADMIN_URL + "&currentSchema=" + SCHEMA), 1_000, 1, 1, 4,
                Duration.ofSeconds(30), Duration.ofSeconds(1)), new TenantPaths(dataDir))) {
            double seeded = (Double) SqlSteps.query(ADMIN_URL, "SELECT setseed(0.5), random() AS r").getFirst().get("r");
            output(single.execute(job("main", "SELECT setseed(0.5) AS s"), context("t1")));

            Object next = output(single.execute(job("main", "SELECT random() AS r"), context("t2"))).rows().getFirst().get("r");

            assertThat(next).isNotEqualTo(seeded);
        }
    }

    @Test
    void anAdvisoryLockTakenByAFailingQueryIsReleasedToo() throws Exception {
        long key = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);

        assertFailed(block.execute(job("main", "SELECT pg_advisory_lock(?), 1 / 0", key), context("t1")), ErrorCode.EXECUTION_FAILED);

        assertThat(advisoryLocks(key)).isZero();
        assertThat(output(block.execute(job("main", "SELECT 1 AS one"), context("t1"))).rows()).containsExactly(Map.of("one", 1L));
    }

    @Test
    void rowsOfLargeValuesFailTheStepInsteadOfFillingTheHeap() throws Exception {
        StepResult result = block.execute(job("main", "SELECT repeat('x', 40000000) AS s FROM generate_series(1, 10)"), context("t1"));

        assertFailed(result, ErrorCode.EXECUTION_FAILED);
        assertThat(result.error().orElseThrow().isRetryable()).isFalse();
        assertThat(result.error().orElseThrow().details()).containsEntry("max_result_bytes", SqlConfig.DEFAULT_MAX_RESULT_BYTES);
        assertThat(output(block.execute(job("main", "SELECT 1 AS one"), context("t1"))).rows()).containsExactly(Map.of("one", 1L));
    }

    @Test
    void anUnreachableServerIsARetryableNetworkError() throws Exception {
        StepResult result = block.execute(job("down", "SELECT 1"), context("t1"));

        assertFailed(result, ErrorCode.NETWORK_ERROR);
        ExecError error = result.error().orElseThrow();
        assertThat(error.isRetryable()).isTrue();
        assertThat(error.message()).doesNotContain("127.0.0.1");
    }

    @Test
    void credentialsTheServerRefusesArePermissionDeniedNotABusyPool() throws Exception {
        StepResult result = block.execute(job("nobody", "SELECT 1"), context("t1"));

        assertFailed(result, ErrorCode.PERMISSION_DENIED);
        ExecError error = result.error().orElseThrow();
        assertThat(error.isRetryable()).as("a wrong user or password does not mend by itself").isFalse();
        assertThat(error.message()).contains("credentials").doesNotContain("beamline_no_such_role");
        assertThat((String) error.details().get("sql_state")).startsWith("28");
    }

    @Test
    void aDatabaseTheServerDoesNotHaveIsNotRetriedAsIfThePoolWereBusy() throws Exception {
        StepResult result = block.execute(job("nodb", "SELECT 1"), context("t1"));

        assertFailed(result, ErrorCode.EXECUTION_FAILED);
        ExecError error = result.error().orElseThrow();
        assertThat(error.isRetryable()).isFalse();
        assertThat(error.message()).contains("does not exist").doesNotContain("beamline_no_such_db");
    }

    private static long activeQueries(String marker) throws SQLException {
        return SqlSteps.query(ADMIN_URL, "SELECT count(*) AS n FROM pg_stat_activity WHERE state = 'active'"
                + " AND pid <> pg_backend_pid() AND query LIKE '%" + marker + "%'").stream()
                .mapToLong(row -> ((Number) row.get("n")).longValue()).sum();
    }

    private static long advisoryLocks(long key) throws SQLException {
        return SqlSteps.query(ADMIN_URL, "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND objid = " + key)
                .stream().mapToLong(row -> ((Number) row.get("n")).longValue()).sum();
    }

    private static void assertUsersUnchanged() throws SQLException {
        assertThat(SqlSteps.query(ADMIN_URL, "SELECT id, name, email FROM " + SCHEMA + ".users ORDER BY id")).containsExactly(
                Map.of("id", 123, "name", "John", "email", "john@example.com"),
                Map.of("id", 456, "name", "Jane", "email", "jane@example.com"));
        assertThat(SqlSteps.query(ADMIN_URL, "SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                + SCHEMA + "' ORDER BY table_name")).extracting(row -> row.get("table_name")).containsExactly("typed", "users");
    }
}
