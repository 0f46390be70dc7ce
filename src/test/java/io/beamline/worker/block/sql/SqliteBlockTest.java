package io.beamline.worker.block.sql;

import static io.beamline.worker.block.sql.SqlSteps.assertFailed;
import static io.beamline.worker.block.sql.SqlSteps.context;
import static io.beamline.worker.block.sql.SqlSteps.job;
import static io.beamline.worker.block.sql.SqlSteps.output;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.SqlOutput;
import io.beamline.worker.contract.StepResult;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** sql.query against real SQLite files in a temporary data directory. */
class SqliteBlockTest {
    private static final String DB = "sqlite://db.sqlite";

    @TempDir
    Path dataDir;
    private Path tenantDb;
    private String tenantUrl;
    private SqlBlock block;

    @BeforeEach
    void createDatabases() throws Exception {
        tenantDb = Files.createDirectories(dataDir.resolve("tenant-a")).resolve("db.sqlite");
        tenantUrl = "jdbc:sqlite:" + tenantDb;
        SqlSteps.execute(tenantUrl,
                "CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT, email TEXT)",
                "INSERT INTO users VALUES ('123', 'John', 'john@example.com'), ('456', 'Jane', 'jane@example.com')",
                "CREATE TABLE typed (i INTEGER, r REAL, t TEXT, b BLOB, n TEXT, flag BOOLEAN)",
                "INSERT INTO typed VALUES (9007199254740993, 1.5, 'text', x'010203', NULL, 1)",
                "CREATE TABLE numbers (n INTEGER)",
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 30) INSERT INTO numbers SELECT x FROM c");
        Path other = Files.createDirectories(dataDir.resolve("tenant-b")).resolve("db.sqlite");
        SqlSteps.execute("jdbc:sqlite:" + other, "CREATE TABLE secrets (s TEXT)", "INSERT INTO secrets VALUES ('tenant-b only')");
        block = new SqlBlock(config(1_000, 64), new TenantPaths(dataDir));
    }

    @AfterEach
    void closeBlock() {
        block.close();
    }

    static SqlConfig config(int maxRows, int openDatabases) {
        return new SqlConfig(Map.of(), maxRows, 2, 2, openDatabases, Duration.ofSeconds(30), Duration.ofSeconds(2));
    }

    @Test
    void selectWithParametersAnswersInTheContractShape() throws Exception {
        StepResult result = block.execute(job(DB, "SELECT * FROM users WHERE id = ?", "123"), context("tenant-a"));

        JsonNode written = Json.readTree(Json.write(output(result)));
        try (InputStream golden = getClass().getResourceAsStream("/contract/result-sql.json")) {
            assertThat(written).isEqualTo(Json.readTree(golden.readAllBytes()));
        }
    }

    @Test
    void valuesKeepTheirJsonTypesAndColumnOrder() throws Exception {
        SqlOutput output = output(block.execute(job(DB, "SELECT * FROM typed"), context("tenant-a")));

        Map<String, Object> row = output.rows().getFirst();
        assertThat(row.keySet()).containsExactly("i", "r", "t", "b", "n", "flag");
        assertThat(row.get("i")).isEqualTo(9007199254740993L);
        assertThat(row.get("r")).isEqualTo(1.5);
        assertThat(row.get("t")).isEqualTo("text");
        assertThat(row.get("b")).isEqualTo("AQID");
        assertThat(row).containsEntry("n", null);
        assertThat(row.get("flag")).isEqualTo(1L);
        assertThat(Json.writeString(output)).contains("\"n\":null");
    }

    @Test
    void numberBooleanAndNullParametersAreBound() throws Exception {
        SqlOutput output = output(block.execute(job(DB, "SELECT ? + 1 AS n, ? AS flag, ? IS NULL AS missing, ? AS d",
                41L, true, null, 2.5), context("tenant-a")));

        assertThat(output.rows()).containsExactly(Map.of("n", 42L, "flag", 1L, "missing", 1L, "d", 2.5));
    }

    @Test
    void placeholderCountMustMatchTheParameters() throws Exception {
        assertFailed(block.execute(job(DB, "SELECT * FROM users WHERE id = ?"), context("tenant-a")), ErrorCode.INVALID_INPUT);
        assertFailed(block.execute(job(DB, "SELECT * FROM users WHERE id = ?", "1", "2"), context("tenant-a")),
                ErrorCode.INVALID_INPUT);
    }

    @Test
    void aTrailingSemicolonIsOneStatement() throws Exception {
        SqlOutput output = output(block.execute(job(DB, "SELECT name FROM users WHERE id = ?; -- done", "456"),
                context("tenant-a")));

        assertThat(output.rows()).containsExactly(Map.of("name", "Jane"));
    }

    static Stream<Arguments> hostileStatements() {
        return Stream.of(
                Arguments.of("INSERT INTO users VALUES ('9', 'x', 'y')", ErrorCode.PERMISSION_DENIED),
                Arguments.of("UPDATE users SET name = 'x'", ErrorCode.PERMISSION_DENIED),
                Arguments.of("DELETE FROM users", ErrorCode.PERMISSION_DENIED),
                Arguments.of("DROP TABLE users", ErrorCode.PERMISSION_DENIED),
                Arguments.of("REPLACE INTO users VALUES ('123', 'x', 'y')", ErrorCode.PERMISSION_DENIED),
                Arguments.of("CREATE TABLE evil (x)", ErrorCode.PERMISSION_DENIED),
                Arguments.of("ALTER TABLE users ADD COLUMN evil TEXT", ErrorCode.PERMISSION_DENIED),
                Arguments.of("VACUUM", ErrorCode.PERMISSION_DENIED),
                Arguments.of("PRAGMA writable_schema=1", ErrorCode.PERMISSION_DENIED),
                Arguments.of("PRAGMA query_only=0", ErrorCode.PERMISSION_DENIED),
                Arguments.of("ATTACH DATABASE '/tmp/x' AS y", ErrorCode.PERMISSION_DENIED),
                Arguments.of("DETACH DATABASE main", ErrorCode.PERMISSION_DENIED),
                Arguments.of("/* looks harmless */ DELETE FROM users", ErrorCode.PERMISSION_DENIED),
                Arguments.of("SELECT 1; DELETE FROM users", ErrorCode.INVALID_INPUT),
                Arguments.of("SELECT 'a;b'; DROP TABLE users", ErrorCode.INVALID_INPUT),
                Arguments.of("SELECT 1 -- comment\n; DELETE FROM users", ErrorCode.INVALID_INPUT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileStatements")
    void hostileStatementsAreRefusedAndChangeNothing(String query, ErrorCode expected) throws Exception {
        StepResult result = block.execute(job(DB, query), context("tenant-a"));

        assertFailed(result, expected);
        assertUsersUnchanged();
    }

    @Test
    void aWriteHiddenBehindWithIsRefusedByTheDatabase() throws Exception {
        StepResult result = block.execute(job(DB, "WITH v(n) AS (VALUES ('9')) INSERT INTO users (id) SELECT n FROM v"),
                context("tenant-a"));

        assertFailed(result, ErrorCode.PERMISSION_DENIED);
        assertUsersUnchanged();
    }

    @Test
    void theDatabaseRefusesWritesThatSkipTheStatementCheck() throws Exception {
        var target = new ConnectionTarget.SqliteFile("db.sqlite", tenantDb);
        try (var unguarded = new SqlSteps.Unguarded(config(100, 4))) {
            for (String write : List.of("INSERT INTO users VALUES ('9', 'x', 'y')", "UPDATE users SET name = 'x'",
                    "DELETE FROM users", "DROP TABLE users", "CREATE TABLE evil (x)")) {
                assertThat(SqlSteps.errorCode(unguarded.run(target, write))).as(write).isEqualTo(ErrorCode.PERMISSION_DENIED);
            }
            unguarded.run(target, "PRAGMA query_only = 0");
            assertThat(SqlSteps.errorCode(unguarded.run(target, "INSERT INTO users VALUES ('9', 'x', 'y')")))
                    .isEqualTo(ErrorCode.PERMISSION_DENIED);
            String attach = "ATTACH DATABASE '" + dataDir.resolve("tenant-b/db.sqlite") + "' AS other";
            assertThat(unguarded.run(target, attach)).isInstanceOf(Outcome.Failure.class);
        }
        assertUsersUnchanged();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "postgres://user:pw@host/db",
            "mysql://root@127.0.0.1/test", "jdbc:sqlite:/tmp/x.db", "sqlite://../tenant-b/db.sqlite",
            "sqlite://file:x?mode=rw", "sqlite://db.sqlite?mode=rw", "sqlite://:memory:", "sqlite:///../tenant-b/db.sqlite",
            "sqlite://%2e%2e/tenant-b/db.sqlite"})
    void connectionStringsAJobMayNotUseAreRefused(String connectionString) throws Exception {
        StepResult result = block.execute(job(connectionString, "SELECT 1 AS one"), context("tenant-a"));

        assertFailed(result, ErrorCode.PERMISSION_DENIED);
        try (Stream<Path> files = Files.list(dataDir.resolve("tenant-a"))) {
            assertThat(files).containsExactly(tenantDb);
        }
    }

    @Test
    void tenantCannotOpenAnotherTenantsDatabase() throws Exception {
        Files.createSymbolicLink(dataDir.resolve("tenant-a/link.sqlite"), dataDir.resolve("tenant-b/db.sqlite"));

        assertFailed(block.execute(job("sqlite://link.sqlite", "SELECT * FROM secrets"), context("tenant-a")),
                ErrorCode.PERMISSION_DENIED);
        assertFailed(block.execute(job("sqlite://../tenant-b/db.sqlite", "SELECT * FROM secrets"), context("tenant-a")),
                ErrorCode.PERMISSION_DENIED);
        assertThat(output(block.execute(job(DB, "SELECT * FROM secrets"), context("tenant-b"))).rowCount()).isEqualTo(1);
    }

    @Test
    void linkThatStaysInsideTheTenantsDirectoryStillReachesItsDatabase() throws Exception {
        // the file is opened by its real path, since SQLite now refuses links on the way
        Files.createSymbolicLink(dataDir.resolve("tenant-a/current"), dataDir.resolve("tenant-a"));

        assertThat(output(block.execute(job("sqlite://current/db.sqlite", "SELECT * FROM users"), context("tenant-a"))).rowCount())
                .isEqualTo(2);
    }

    @Test
    void sqliteRefusesALinkSwappedIntoThePathAfterTheCheck() throws Exception {
        // The driver opens by name; what a job's sqlite:// path resolved to is handed to it as a
        // real path. A link there now can only have been swapped in after the check: SQLite
        // itself must refuse it (SQLITE_OPEN_NOFOLLOW), not read the file it leads to.
        Path outside = Files.createDirectories(dataDir.resolve("outside"));
        SqlSteps.execute("jdbc:sqlite:" + outside.resolve("db.sqlite"), "CREATE TABLE secrets (s TEXT)");
        Path swapped = Files.createSymbolicLink(dataDir.resolve("tenant-a/swapped"), outside);

        assertThatThrownBy(() -> {
            try (Connection connection = new ReadOnlySqliteDataSource(swapped.resolve("db.sqlite"), 1024).getConnection()) {
                connection.createStatement().execute("SELECT * FROM secrets");
            }
        }).isInstanceOfSatisfying(SQLiteException.class,
                e -> assertThat(e.getResultCode()).isEqualTo(SQLiteErrorCode.SQLITE_CANTOPEN_SYMLINK));
    }

    @Test
    void aMissingDatabaseIsNotCreated() throws Exception {
        StepResult result = block.execute(job("sqlite://nope.sqlite", "SELECT 1 AS one"), context("tenant-c"));

        assertFailed(result, ErrorCode.EXECUTION_FAILED);
        assertThat(result.error().orElseThrow().message()).contains("database not found");
        assertThat(dataDir.resolve("tenant-c/nope.sqlite")).doesNotExist();
    }

    @Test
    void anUnknownNamedConnectionIsInvalidInput() throws Exception {
        StepResult result = block.execute(job("reporting", "SELECT 1 AS one"), context("tenant-a"));

        assertFailed(result, ErrorCode.INVALID_INPUT);
        assertThat(result.error().orElseThrow().message()).contains("unknown connection");
    }

    @Test
    void aQueryErrorIsInvalidInput() throws Exception {
        assertFailed(block.execute(job(DB, "SELECT * FROM no_such_table"), context("tenant-a")), ErrorCode.INVALID_INPUT);
    }

    @Test
    void theJobMayLowerTheRowLimitAndTheResultSaysItWasTruncated() throws Exception {
        SqlOutput output = output(block.execute(job(DB, "SELECT n FROM numbers ORDER BY n", 10, null), context("tenant-a")));

        assertThat(output.rowCount()).isEqualTo(10);
        assertThat(output.rows()).hasSize(10);
        assertThat(output.truncated()).isTrue();
    }

    @Test
    void theJobCannotRaiseTheOperatorsRowLimit() throws Exception {
        try (SqlBlock capped = new SqlBlock(config(5, 4), new TenantPaths(dataDir))) {
            SqlOutput output = output(capped.execute(job(DB, "SELECT n FROM numbers", 100, null), context("tenant-a")));

            assertThat(output.rowCount()).isEqualTo(5);
            assertThat(output.truncated()).isTrue();
        }
    }

    @Test
    void aResultThatFitsTheLimitIsNotTruncated() throws Exception {
        SqlOutput output = output(block.execute(job(DB, "SELECT n FROM numbers", 30, null), context("tenant-a")));

        assertThat(output.rowCount()).isEqualTo(30);
        assertThat(output.truncated()).isNull();
    }

    @Test
    void aValueLargerThanAWholeResultMayBeFailsInSqliteNotInTheHeap() throws Exception {
        StepResult result = block.execute(job(DB, "SELECT zeroblob(150000000) AS z"), context("tenant-a"));

        assertFailed(result, ErrorCode.EXECUTION_FAILED);
        assertThat(result.error().orElseThrow().details()).containsEntry("max_result_bytes", SqlConfig.DEFAULT_MAX_RESULT_BYTES);
        assertThat(result.error().orElseThrow().isRetryable()).isFalse();
    }

    @Test
    void rowsHoldingMoreThanTheResultMayFailTheStepWithTheLimit() throws Exception {
        SqlConfig small = new SqlConfig(Map.of(), 1_000, 2, 2, 4, Duration.ofSeconds(30), Duration.ofSeconds(2), 4096);
        try (SqlBlock capped = new SqlBlock(small, new TenantPaths(dataDir))) {
            StepResult result = capped.execute(job(DB, "SELECT n, hex(randomblob(100)) AS h FROM numbers"), context("tenant-a"));

            assertFailed(result, ErrorCode.EXECUTION_FAILED);
            assertThat(result.error().orElseThrow().details()).containsEntry("max_result_bytes", 4096);
            assertThat(result.error().orElseThrow().message()).contains("--sql-max-result-bytes");
            assertThat(output(capped.execute(job(DB, "SELECT n FROM numbers"), context("tenant-a"))).rowCount())
                    .as("thirty small rows fit").isEqualTo(30);
        }
    }

    @Test
    void aFileThatIsNotADatabaseFailsAtOnceAndIsNotRetryable() throws Exception {
        Files.writeString(dataDir.resolve("tenant-a").resolve("text.sqlite"), "not a database\n".repeat(100));

        StepResult result = block.execute(job("sqlite://text.sqlite", "SELECT 1"), context("tenant-a"));

        assertFailed(result, ErrorCode.EXECUTION_FAILED);
        assertThat(result.error().orElseThrow().message()).contains("not a database");
        assertThat(result.error().orElseThrow().isRetryable()).isFalse();
    }

    @Test
    void repeatedColumnLabelsGetSuffixes() throws Exception {
        SqlOutput output = output(block.execute(job(DB, "SELECT 1 AS id, 2 AS id, 3 AS id"), context("tenant-a")));

        assertThat(output.rows().getFirst().keySet()).containsExactly("id", "id_2", "id_3");
    }

    /**
     * Audit finding: SQLite runs a statement in native code, which holds a virtual thread's
     * carrier. With as many runaway queries as carriers, nothing else ran: not their timeout
     * watchdogs, not other steps, not the health endpoint. Queries now run on platform threads.
     */
    @Test
    void runawayQueriesOnEveryCarrierStillTimeOutAndOtherVirtualThreadsRun() throws Exception {
        int queries = Runtime.getRuntime().availableProcessors() + 1;
        StepResult[] results = new StepResult[queries];
        java.util.List<Thread> steps = new java.util.ArrayList<>();
        for (int i = 0; i < queries; i++) {
            java.nio.file.Files.copy(tenantDb, tenantDb.resolveSibling("runaway-" + i + ".sqlite"));
            int n = i;
            steps.add(Thread.ofVirtual().start(() -> {
                try {
                    results[n] = block.execute(job("sqlite://runaway-" + n + ".sqlite",
                            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", null, 500L),
                            context("tenant-a"));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        Thread.sleep(300);  // every query is running by now

        java.util.concurrent.CountDownLatch ran = new java.util.concurrent.CountDownLatch(1);
        Thread.ofVirtual().start(ran::countDown);
        assertThat(ran.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("a virtual thread still gets a carrier").isTrue();
        for (Thread step : steps) {
            step.join(Duration.ofSeconds(30));
        }
        assertThat(results).allSatisfy(result -> {
            assertThat(result).isInstanceOf(StepResult.TimedOut.class);
            assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
        });
    }

    @Test
    void aRunawayQueryTimesOut() throws Exception {
        long started = System.nanoTime();
        StepResult result = block.execute(job(DB,
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c", null, 1_000L),
                context("tenant-a"));

        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void interruptingTheStepStopsTheQuery() throws Exception {
        // one connection only: the query after the interrupt can run only if the first one let go of it
        SqlConfig oneConnection = new SqlConfig(Map.of(), 100, 1, 1, 4, Duration.ofSeconds(30), Duration.ofSeconds(2));
        try (SqlBlock single = new SqlBlock(oneConnection, new TenantPaths(dataDir))) {
            var outcome = new CompletableFuture<Object>();
            Thread step = Thread.ofVirtual().start(() -> {
                try {
                    outcome.complete(single.execute(job(DB,
                            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"),
                            context("tenant-a")));
                } catch (InterruptedException e) {
                    outcome.complete(e);
                }
            });
            Thread.sleep(300);

            step.interrupt();

            assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(output(single.execute(job(DB, "SELECT count(*) AS n FROM users"), context("tenant-a"))).rows())
                    .containsExactly(Map.of("n", 2L));
        }
    }

    @Test
    void aFullPoolIsARetryableUnavailability() throws Exception {
        SqlConfig oneConnection = new SqlConfig(Map.of(), 100, 1, 1, 4, Duration.ofSeconds(30), Duration.ofMillis(500));
        try (SqlBlock single = new SqlBlock(oneConnection, new TenantPaths(dataDir))) {
            Thread busy = Thread.ofVirtual().start(() -> {
                try {
                    single.execute(job(DB, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"),
                            context("tenant-a"));
                } catch (InterruptedException e) {
                    // expected: the test ends it
                }
            });
            Thread.sleep(300);

            StepResult result = single.execute(job(DB, "SELECT 1 AS one"), context("tenant-a"));

            assertFailed(result, ErrorCode.RESOURCE_UNAVAILABLE);
            assertThat(result.error().orElseThrow().isRetryable()).isTrue();
            busy.interrupt();
            busy.join(Duration.ofSeconds(5));
        }
    }

    @Test
    void concurrentStepsShareThePools() throws Exception {
        List<CompletableFuture<StepResult>> steps = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String tenant = i % 2 == 0 ? "tenant-a" : "tenant-b";
            String query = i % 2 == 0 ? "SELECT count(*) AS n FROM users" : "SELECT count(*) AS n FROM secrets";
            var step = new CompletableFuture<StepResult>();
            Thread.ofVirtual().start(() -> {
                try {
                    step.complete(block.execute(job(DB, query), context(tenant)));
                } catch (InterruptedException e) {
                    step.completeExceptionally(e);
                }
            });
            steps.add(step);
        }

        for (int i = 0; i < steps.size(); i++) {
            long expected = i % 2 == 0 ? 2L : 1L;
            assertThat(output(steps.get(i).get(10, TimeUnit.SECONDS)).rows()).containsExactly(Map.of("n", expected));
        }
    }

    @Test
    void aReplacedDatabaseFileIsReadAfresh() throws Exception {
        output(block.execute(job(DB, "SELECT * FROM users"), context("tenant-a")));
        Path replacement = dataDir.resolve("replacement.sqlite");
        SqlSteps.execute("jdbc:sqlite:" + replacement, "CREATE TABLE users (id TEXT, name TEXT, email TEXT)",
                "INSERT INTO users VALUES ('789', 'Replacement', 'r@example.com')");

        Files.move(replacement, tenantDb, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);

        assertThat(output(block.execute(job(DB, "SELECT name FROM users"), context("tenant-a"))).rows())
                .containsExactly(Map.of("name", "Replacement"));
    }

    private void assertUsersUnchanged() throws SQLException {
        assertThat(SqlSteps.query(tenantUrl, "SELECT id, name, email FROM users ORDER BY id")).containsExactly(
                Map.of("id", "123", "name", "John", "email", "john@example.com"),
                Map.of("id", "456", "name", "Jane", "email", "jane@example.com"));
        assertThat(SqlSteps.query(tenantUrl, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"))
                .extracting(row -> row.get("name")).containsExactly("numbers", "typed", "users");
    }
}
