package io.beamline.worker.block.sql;

import io.beamline.worker.config.ConfigException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Configuration of the {@code sql.query} block (SPEC §4.3). Validated when built: a bad value
 * fails at start-up with a message naming its command-line option. Immutable.
 *
 * @param namedConnections    {@code --sql-connection NAME=JDBC_URL}: the only servers a job may
 *                            reach, by name (PostgreSQL or MariaDB; credentials stay here)
 * @param maxRows             {@code --sql-max-rows}: rows returned at most; a job's
 *                            {@code max_rows} may lower it, never raise it
 * @param poolSize            {@code --sql-pool-size}: connections per named connection
 * @param sqlitePoolSize      {@code --sql-sqlite-pool-size}: connections per open SQLite file
 * @param sqliteOpenDatabases {@code --sql-sqlite-open-databases}: SQLite files kept open (the
 *                            least recently used pool is closed beyond it)
 * @param queryTimeout        {@code --sql-query-timeout-ms}: for jobs without {@code timeout_ms}
 * @param connectTimeout      {@code --sql-connect-timeout-ms}: waiting for a pooled connection
 * @param maxResultBytes      {@code --sql-max-result-bytes}: the most a query's rows may hold
 *                            (their values as read); beyond it the step fails with 2001 rather
 *                            than fill the heap — a single {@code SELECT zeroblob(150000000)}
 *                            or {@code repeat('x', 40000000)} per row once ended the process
 */
public record SqlConfig(
        Map<String, String> namedConnections,
        int maxRows,
        int poolSize,
        int sqlitePoolSize,
        int sqliteOpenDatabases,
        Duration queryTimeout,
        Duration connectTimeout,
        int maxResultBytes) {

    public static final int MAX_ROWS_LIMIT = 1_000_000;
    /** pgjdbc's query modes that keep every statement inside the worker's read-only transaction. */
    private static final Set<String> PG_QUERY_MODES = Set.of("extended", "extendedForPrepared",
            "extendedCacheEverything");
    /** 4 MiB: four times what one message of a NATS server with default settings carries. */
    public static final int DEFAULT_MAX_RESULT_BYTES = 4 * 1024 * 1024;
    private static final Pattern CONNECTION_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

    public SqlConfig {
        for (var entry : namedConnections.entrySet()) {
            if (!CONNECTION_NAME.matcher(entry.getKey()).matches()) {
                throw new ConfigException("--sql-connection name must be a letter followed by letters, digits, '_' or '-', got \""
                        + entry.getKey() + "\"");
            }
            Dialect dialect = Dialect.ofJdbcUrl(entry.getValue()).orElseThrow(() -> new ConfigException("--sql-connection "
                    + entry.getKey() + " must be a jdbc:postgresql:// or jdbc:mariadb:// URL (read-only is enforced for those only)"));
            if (dialect == Dialect.POSTGRESQL) {
                refuseWeakenedReadOnly(entry.getKey(), entry.getValue());
            }
        }
        requireBetween("--sql-max-rows", maxRows, 1, MAX_ROWS_LIMIT);
        requireBetween("--sql-pool-size", poolSize, 1, 1_000);
        requireBetween("--sql-sqlite-pool-size", sqlitePoolSize, 1, 100);
        requireBetween("--sql-sqlite-open-databases", sqliteOpenDatabases, 1, 100_000);
        if (queryTimeout.toMillis() < 1) {
            throw new ConfigException("--sql-query-timeout-ms must be > 0, got " + queryTimeout.toMillis());
        }
        if (connectTimeout.toMillis() < 250) {
            throw new ConfigException("--sql-connect-timeout-ms must be >= 250, got " + connectTimeout.toMillis());
        }
        requireBetween("--sql-max-result-bytes", maxResultBytes, 1024, 1024 * 1024 * 1024);
        namedConnections = Map.copyOf(namedConnections);
    }

    /** With the default {@link #maxResultBytes}. */
    public SqlConfig(Map<String, String> namedConnections, int maxRows, int poolSize, int sqlitePoolSize,
                     int sqliteOpenDatabases, Duration queryTimeout, Duration connectTimeout) {
        this(namedConnections, maxRows, poolSize, sqlitePoolSize, sqliteOpenDatabases, queryTimeout, connectTimeout,
                DEFAULT_MAX_RESULT_BYTES);
    }

    /** Production defaults: 10,000 rows, 8 connections per server, 30 s queries, 5 s to connect, 4 MiB of rows. */
    public static SqlConfig defaults(Map<String, String> namedConnections) {
        return new SqlConfig(namedConnections, 10_000, 8, 2, 64, Duration.ofSeconds(30), Duration.ofSeconds(5));
    }

    /** The JDBC URL of the connection an operator configured under {@code name}. */
    public Optional<String> jdbcUrl(String name) {
        return Optional.ofNullable(namedConnections.get(name));
    }

    /**
     * A pgjdbc URL parameter that would let a job's query write. URL parameters win over the
     * pool's own settings, so they are refused instead of overridden. Audit finding: with
     * {@code preferQueryMode=simple} each query also ran once outside its read-only transaction,
     * and a write hidden in a read (a function, a CTE, {@code EXPLAIN ANALYZE DELETE}) was
     * committed while the job got 2003; {@code readOnlyMode=ignore} turned read-only off.
     */
    private static void refuseWeakenedReadOnly(String name, String jdbcUrl) {
        int query = jdbcUrl.indexOf('?');
        if (query < 0) {
            return;
        }
        for (String pair : jdbcUrl.substring(query + 1).split("&")) {
            int equals = pair.indexOf('=');
            String key = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
            String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
            if (key.equals("preferQueryMode") && !PG_QUERY_MODES.contains(value)) {
                throw new ConfigException("--sql-connection " + name + ": preferQueryMode=" + value + " is not allowed: read-only"
                        + " enforcement needs the extended query protocol (behind PgBouncer in transaction mode, use"
                        + " prepareThreshold=0 instead)");
            }
            if (key.equals("readOnlyMode") && !value.equals("always")) {
                throw new ConfigException("--sql-connection " + name + ": readOnlyMode=" + value + " is not allowed: the worker"
                        + " sets readOnlyMode=always, so that every transaction begins READ ONLY");
            }
        }
    }

    private static void requireBetween(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigException(option + " must be between " + min + " and " + max + ", got " + value);
        }
    }
}
