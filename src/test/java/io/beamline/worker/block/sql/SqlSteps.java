package io.beamline.worker.block.sql;

import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.Executor;
import io.beamline.worker.contract.SqlOutput;
import io.beamline.worker.contract.SqlQueryJob;
import io.beamline.worker.contract.StepResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import static org.assertj.core.api.Assertions.assertThat;

/** Test fixture: jobs, step contexts, outcome assertions and direct JDBC access for set-up and checks. */
final class SqlSteps {
    private SqlSteps() {
    }

    static SqlQueryJob job(String connection, String query, Object... parameters) {
        return new SqlQueryJob("sql.query", connection, query, new ArrayList<>(Arrays.asList(parameters)), null, null);
    }

    static SqlQueryJob job(String connection, String query, Integer maxRows, Long timeoutMs) {
        return new SqlQueryJob("sql.query", connection, query, List.of(), maxRows, timeoutMs);
    }

    static StepContext context(String tenantId) {
        var assignment = new ExecAssignment("1", "a-" + tenantId, "r-1", tenantId, null, null, null, null,
                new Executor("test", null), null, null, null, null);
        return new StepContext(assignment, 0, "worker-test");
    }

    static SqlOutput output(StepResult result) {
        assertThat(result).as("step result %s", result).isInstanceOf(StepResult.Succeeded.class);
        return (SqlOutput) ((StepResult.Succeeded) result).output();
    }

    static void assertFailed(StepResult result, ErrorCode code) {
        assertThat(result).as("step result").isInstanceOf(StepResult.Failed.class);
        assertThat(result.error().orElseThrow().code()).as("error of %s", result).isEqualTo(code);
    }

    /** Runs SQL without the statement check, to prove what the database itself refuses. */
    static final class Unguarded implements AutoCloseable {
        private final ScheduledThreadPoolExecutor housekeeper =
                new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon(true).factory());
        private final SqlitePools sqlitePools;
        private final NamedPools namedPools;
        private final QueryRunner runner;

        Unguarded(SqlConfig config) {
            sqlitePools = new SqlitePools(config, housekeeper);
            namedPools = new NamedPools(config, housekeeper);
            runner = new QueryRunner(sqlitePools, namedPools, config.maxResultBytes());
        }

        Outcome<SqlOutput> run(ConnectionTarget target, String sql) {
            QueryWatch watch = new QueryWatch();
            watch.start();
            return runner.run(target, new Query(sql, List.of(), 100, Duration.ofSeconds(10)), watch);
        }

        @Override
        public void close() {
            namedPools.close();
            sqlitePools.close();
            housekeeper.shutdownNow();
        }
    }

    static ErrorCode errorCode(Outcome<SqlOutput> outcome) {
        assertThat(outcome).as("outcome").isInstanceOf(Outcome.Failure.class);
        return ((Outcome.Failure<SqlOutput>) outcome).error().code();
    }

    static void execute(String jdbcUrl, String... statements) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        }
    }

    /** Every row of {@code sql}, read with a plain writable connection. */
    static List<Map<String, Object>> query(String jdbcUrl, String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(jdbcUrl);
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(sql)) {
            List<Map<String, Object>> result = new ArrayList<>();
            while (rows.next()) {
                var row = new java.util.LinkedHashMap<String, Object>();
                for (int column = 1; column <= rows.getMetaData().getColumnCount(); column++) {
                    row.put(rows.getMetaData().getColumnLabel(column), rows.getObject(column));
                }
                result.add(row);
            }
            return result;
        }
    }
}
