package io.beamline.worker.config;

import io.beamline.worker.block.sql.SqlConfig;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Options of the {@code sql.query} block (SPEC §4.3), a picocli argument group of {@link WorkerOptions}. */
public final class SqlOptions {

    @Option(names = "--sql-connection", paramLabel = "NAME=JDBC_URL",
            description = "A database sql.query jobs may name as connection_string; jdbc:postgresql:// or jdbc:mariadb://, "
                    + "queried read-only; repeatable, each NAME once (env WORKER_SQL_CONNECTIONS, comma-separated NAME=URL).")
    List<String> connections;

    @Option(names = "--sql-max-rows", paramLabel = "N",
            description = "Most rows a query returns; job.max_rows may lower it (env WORKER_SQL_MAX_ROWS; default: 10000).")
    Integer maxRows;

    @Option(names = "--sql-pool-size", paramLabel = "N",
            description = "Pooled connections per named database (env WORKER_SQL_POOL_SIZE; default: 8).")
    Integer poolSize;

    @Option(names = "--sql-sqlite-pool-size", paramLabel = "N",
            description = "Pooled connections per SQLite file (env WORKER_SQL_SQLITE_POOL_SIZE; default: 2).")
    Integer sqlitePoolSize;

    @Option(names = "--sql-sqlite-open-databases", paramLabel = "N",
            description = "SQLite files kept open, least recently used closed first (env WORKER_SQL_SQLITE_OPEN_DATABASES; default: 64).")
    Integer sqliteOpenDatabases;

    @Option(names = "--sql-query-timeout-ms", paramLabel = "MS",
            description = "Query timeout when the job gives no timeout_ms (env WORKER_SQL_QUERY_TIMEOUT_MS; default: 30000).")
    Long queryTimeoutMs;

    @Option(names = "--sql-max-result-bytes", paramLabel = "BYTES",
            description = "Most bytes a query's rows may hold; a larger result ends the step with 2001 "
                    + "(env WORKER_SQL_MAX_RESULT_BYTES; default: 4194304).")
    Integer maxResultBytes;

    @Option(names = "--sql-connect-timeout-ms", paramLabel = "MS",
            description = "How long getting a connection may take (env WORKER_SQL_CONNECT_TIMEOUT_MS; default: 5000).")
    Long connectTimeoutMs;

    SqlConfig toConfig(Settings settings) {
        SqlConfig d = SqlConfig.defaults(Map.of());
        return new SqlConfig(
                settings.resolve("--sql-connection", flagConnections(), "WORKER_SQL_CONNECTIONS",
                        text -> connections(Arrays.asList(text.split(","))), Map.of()),
                settings.integer("--sql-max-rows", maxRows, "WORKER_SQL_MAX_ROWS", d.maxRows()),
                settings.integer("--sql-pool-size", poolSize, "WORKER_SQL_POOL_SIZE", d.poolSize()),
                settings.integer("--sql-sqlite-pool-size", sqlitePoolSize, "WORKER_SQL_SQLITE_POOL_SIZE", d.sqlitePoolSize()),
                settings.integer("--sql-sqlite-open-databases", sqliteOpenDatabases, "WORKER_SQL_SQLITE_OPEN_DATABASES", d.sqliteOpenDatabases()),
                Duration.ofMillis(settings.longValue("--sql-query-timeout-ms", queryTimeoutMs, "WORKER_SQL_QUERY_TIMEOUT_MS", d.queryTimeout().toMillis())),
                Duration.ofMillis(settings.longValue("--sql-connect-timeout-ms", connectTimeoutMs, "WORKER_SQL_CONNECT_TIMEOUT_MS", d.connectTimeout().toMillis())),
                settings.integer("--sql-max-result-bytes", maxResultBytes, "WORKER_SQL_MAX_RESULT_BYTES", d.maxResultBytes()));
    }

    private Map<String, String> flagConnections() {
        if (connections == null) {
            return null;
        }
        try {
            return connections(connections);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("invalid value for --sql-connection: " + e.getMessage());
        }
    }

    /** NAME=JDBC_URL entries by name; a name given twice is an error, not a silent replacement of the first URL. */
    private static Map<String, String> connections(List<String> entries) {
        Map<String, String> connections = new LinkedHashMap<>();
        for (String entry : entries) {
            int equals = entry.indexOf('=');
            if (equals <= 0) {
                throw new IllegalArgumentException("expected NAME=JDBC_URL, got \"" + entry + "\"");
            }
            String name = entry.substring(0, equals).trim();
            if (connections.putIfAbsent(name, entry.substring(equals + 1).trim()) != null) {
                throw new IllegalArgumentException("the name \"" + name + "\" is given more than once");
            }
        }
        return connections;
    }
}
