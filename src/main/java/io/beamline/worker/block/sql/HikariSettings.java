package io.beamline.worker.block.sql;

import com.zaxxer.hikari.HikariConfig;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The HikariCP settings of the block's pools, in one place. Every connection is read-only and
 * runs each query in a transaction that is rolled back afterwards (auto-commit off), so a
 * write is refused by the database and any session change a query makes is undone. Pools start
 * empty and never fail at creation: an unreachable server shows up as a failed query.
 * Stateless; thread-safe.
 */
final class HikariSettings {
    private static final long SQLITE_IDLE_TIMEOUT_MS = 60_000;
    /** Protocol bytes beyond the values themselves in a fetched batch of rows. */
    private static final int PG_RESULT_BUFFER_SLACK = 64 * 1024;

    private HikariSettings() {
    }

    /** A pool of an operator-named PostgreSQL or MariaDB server. */
    static HikariConfig named(ConnectionTarget.Named target, SqlConfig config, ScheduledExecutorService housekeeper) {
        HikariConfig hikari = common("sql-" + target.name(), config.poolSize(), config, housekeeper);
        hikari.setJdbcUrl(target.jdbcUrl());
        switch (target.dialect()) {
            case POSTGRESQL -> {
                // BEGIN READ ONLY for every transaction, even if auto-commit were ever turned on
                hikari.addDataSourceProperty("readOnlyMode", "always");
                // a JSON string parameter may compare with any column type, as in SQLite
                hikari.addDataSourceProperty("stringtype", "unspecified");
                hikari.addDataSourceProperty("ApplicationName", "beamline-worker");
                // the driver refuses to buffer more rows than a result may hold (RowReader
                // counts them too, but only once the driver has read them into memory)
                hikari.addDataSourceProperty("maxResultBuffer", String.valueOf(config.maxResultBytes() + PG_RESULT_BUFFER_SLACK));
            }
            case MARIADB -> {
                // the MariaDB driver ignores Connection.setReadOnly on a single server
                hikari.setConnectionInitSql("SET SESSION TRANSACTION READ ONLY");
                hikari.addDataSourceProperty("allowMultiQueries", "false");
            }
            case SQLITE -> throw new IllegalArgumentException("SQLite files are not named connections");
        }
        return hikari;
    }

    /** A small pool of one tenant's SQLite file. */
    static HikariConfig sqlite(Path file, SqlConfig config, ScheduledExecutorService housekeeper) {
        HikariConfig hikari = common("sqlite-" + file.getFileName(), config.sqlitePoolSize(), config, housekeeper);
        hikari.setDataSource(new ReadOnlySqliteDataSource(file, config.maxResultBytes()));
        hikari.setIdleTimeout(SQLITE_IDLE_TIMEOUT_MS);
        return hikari;
    }

    private static HikariConfig common(String poolName, int size, SqlConfig config, ScheduledExecutorService housekeeper) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(poolName);
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(0);
        hikari.setReadOnly(true);
        hikari.setAutoCommit(false);
        hikari.setIsolateInternalQueries(true);
        hikari.setConnectionTimeout(config.connectTimeout().toMillis());
        hikari.setValidationTimeout(config.connectTimeout().toMillis());
        hikari.setInitializationFailTimeout(-1);
        hikari.setScheduledExecutor(housekeeper);
        return hikari;
    }
}
