package io.beamline.worker.block.sql;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.SqlOutput;
import io.beamline.worker.contract.SqlQueryJob;
import io.beamline.worker.contract.StepResult;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The {@code sql.query} block (SPEC §4.3): one parameterized read statement against a tenant's
 * SQLite file ({@code sqlite://NAME}) or an operator-named PostgreSQL/MariaDB connection. The
 * life of a step:
 * <ol>
 *   <li>{@link ConnectionResolver}: which database, refusing job-supplied URLs and paths that
 *       leave the tenant's root (2003), unknown names (1001);</li>
 *   <li>{@link StatementGuard}: one statement that starts as a read (1001 / 2003);</li>
 *   <li>{@link QueryExecution} + {@link QueryRunner}: a pooled read-only connection, bound
 *       parameters, row limit and timeout, interruptible; database errors classified by
 *       {@link SqlErrors}.</li>
 * </ol>
 * Writes are refused by the database itself (read-only open, read-only transaction rolled back
 * after every query); the statement check is defence in depth.
 *
 * <p>Thread-safe: one instance serves all steps. {@link #close()} closes every pool.
 */
public final class SqlBlock implements Block<SqlQueryJob>, AutoCloseable {
    private final SqlConfig config;
    private final ConnectionResolver resolver;
    private final ScheduledExecutorService housekeeper;
    private final SqlitePools sqlitePools;
    private final NamedPools namedPools;
    private final QueryRunner runner;

    public SqlBlock(SqlConfig config, TenantPaths paths) {
        this.config = config;
        this.resolver = new ConnectionResolver(config, paths);
        this.housekeeper = housekeeper();
        this.sqlitePools = new SqlitePools(config, housekeeper);
        this.namedPools = new NamedPools(config, housekeeper);
        this.runner = new QueryRunner(sqlitePools, namedPools, config.maxResultBytes());
    }

    @Override
    public Class<SqlQueryJob> jobType() {
        return SqlQueryJob.class;
    }

    @Override
    public StepResult execute(SqlQueryJob job, StepContext context) throws InterruptedException {
        long started = System.nanoTime();
        ConnectionTarget target;
        switch (resolver.resolve(job.connectionString(), context.tenantId())) {
            case Outcome.Failure<ConnectionTarget>(ExecError error) -> {
                return failed(error, started);
            }
            case Outcome.Success<ConnectionTarget>(ConnectionTarget value) -> target = value;
        }
        String statement;
        switch (StatementGuard.check(job.query(), target.dialect())) {
            case Outcome.Failure<String>(ExecError error) -> {
                return failed(error, started);
            }
            case Outcome.Success<String>(String value) -> statement = value;
        }
        Query query = new Query(statement, job.parameters() == null ? List.of() : job.parameters(),
                rowLimit(job), timeout(job));
        Outcome<SqlOutput> outcome = QueryExecution.run(watch -> runner.run(target, query, watch), query.timeout());
        return switch (outcome) {
            case Outcome.Success<SqlOutput>(SqlOutput output) -> new StepResult.Succeeded(output, millisSince(started));
            case Outcome.Failure<SqlOutput>(ExecError error) -> failed(error, started);
        };
    }

    /** The job may ask for fewer rows than the operator allows, never more. */
    private int rowLimit(SqlQueryJob job) {
        return job.maxRows() == null ? config.maxRows() : Math.min(job.maxRows(), config.maxRows());
    }

    private Duration timeout(SqlQueryJob job) {
        return job.timeoutMs() == null ? config.queryTimeout() : Duration.ofMillis(job.timeoutMs());
    }

    private static StepResult failed(ExecError error, long started) {
        return error.code() == ErrorCode.CANCELLED_BY_TIMEOUT
                ? new StepResult.TimedOut(error, millisSince(started))
                : new StepResult.Failed(error, millisSince(started));
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** One platform thread runs HikariCP's housekeeping for every pool of this block. */
    private static ScheduledExecutorService housekeeper() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("sql-pool-housekeeper").daemon(true).factory());
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    @Override
    public void close() {
        namedPools.close();
        sqlitePools.close();
        housekeeper.shutdownNow();
    }
}
