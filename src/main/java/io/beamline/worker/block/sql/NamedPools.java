package io.beamline.worker.block.sql;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One read-only HikariCP pool per operator-named connection, created on first use (so a
 * configured server that is down does not stop the worker from starting). Thread-safe.
 */
final class NamedPools implements AutoCloseable {
    private final SqlConfig config;
    private final ScheduledExecutorService housekeeper;
    private final ConcurrentHashMap<String, HikariDataSource> pools = new ConcurrentHashMap<>();
    private volatile boolean closed;

    NamedPools(SqlConfig config, ScheduledExecutorService housekeeper) {
        this.config = config;
        this.housekeeper = housekeeper;
    }

    ConnectionLease connection(ConnectionTarget.Named target) throws SQLException {
        if (closed) {
            throw new IllegalStateException("the SQL block is closed");
        }
        HikariDataSource pool = pools.computeIfAbsent(target.name(),
                name -> new HikariDataSource(HikariSettings.named(target, config, housekeeper)));
        return ConnectionLease.of(pool.getConnection(), pool::evictConnection);
    }

    @Override
    public void close() {
        closed = true;
        pools.values().forEach(HikariDataSource::close);
        pools.clear();
    }
}
