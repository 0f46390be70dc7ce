package io.beamline.worker.block.sql;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One small read-only pool per SQLite file, at most {@link SqlConfig#sqliteOpenDatabases()} of
 * them: beyond that the least recently used pool is retired. A retired pool is closed once its
 * last borrowed connection comes back, so eviction never aborts another step's query. A pool
 * is also retired when its file was replaced (another inode at the same path, e.g. after an
 * atomic {@code fs.put}), so queries never read a stale copy.
 *
 * <p>Thread-safe: decisions are taken under one lock; connections are borrowed and pools
 * closed outside it.
 */
final class SqlitePools implements AutoCloseable {
    private final SqlConfig config;
    private final ScheduledExecutorService housekeeper;
    private final ReentrantLock lock = new ReentrantLock();
    /** In access order, so the first entry is the least recently used. */
    private final LinkedHashMap<Path, Entry> open = new LinkedHashMap<>(16, 0.75f, true);
    private boolean closed;

    SqlitePools(SqlConfig config, ScheduledExecutorService housekeeper) {
        this.config = config;
        this.housekeeper = housekeeper;
    }

    /** A read-only connection to {@code file}; {@link NoSuchFileException} when it is not a file. */
    ConnectionLease connection(Path file) throws IOException, SQLException {
        BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
        if (!attributes.isRegularFile()) {
            throw new NoSuchFileException(file.toString());
        }
        if (!isOpen(file, attributes.fileKey())) {
            probe(file);
        }
        Entry entry = lease(file, attributes.fileKey());
        try {
            return new ConnectionLease(entry.pool.getConnection(), () -> release(entry), entry.pool::evictConnection);
        } catch (SQLException | RuntimeException e) {
            release(entry);
            throw e;
        }
    }

    /**
     * Opens a file about to get a pool once, outside any pool: a file SQLite cannot read (not a
     * database, say) fails here at once with SQLite's own error, where the pool would retry
     * until its connect timeout and then report "no connection available", retryable.
     */
    private void probe(Path file) throws SQLException {
        try (Connection connection = new ReadOnlySqliteDataSource(file, config.maxResultBytes()).getConnection();
             Statement statement = connection.createStatement()) {
            statement.execute("SELECT count(*) FROM sqlite_schema");
        }
    }

    private boolean isOpen(Path file, Object fileKey) {
        lock.lock();
        try {
            Entry entry = open.get(file);
            return entry != null && Objects.equals(entry.fileKey, fileKey);
        } finally {
            lock.unlock();
        }
    }

    /** How many pools are open (retired ones still in use excluded). */
    int openPools() {
        lock.lock();
        try {
            return open.size();
        } finally {
            lock.unlock();
        }
    }

    private Entry lease(Path file, Object fileKey) {
        List<Entry> toClose = new ArrayList<>();
        lock.lock();
        try {
            if (closed) {
                throw new IllegalStateException("the SQL block is closed");
            }
            Entry entry = open.get(file);
            if (entry != null && !Objects.equals(entry.fileKey, fileKey)) {
                open.remove(file);
                retire(entry, toClose);
                entry = null;
            }
            if (entry == null) {
                entry = new Entry(fileKey, new HikariDataSource(HikariSettings.sqlite(file, config, housekeeper)));
                open.put(file, entry);
                evictBeyondCapacity(toClose);
            }
            entry.leases++;
            return entry;
        } finally {
            lock.unlock();
            toClose.forEach(Entry::closePool);
        }
    }

    private void release(Entry entry) {
        boolean closeNow;
        lock.lock();
        try {
            entry.leases--;
            closeNow = entry.retired && entry.leases == 0;
        } finally {
            lock.unlock();
        }
        if (closeNow) {
            entry.closePool();
        }
    }

    private void evictBeyondCapacity(List<Entry> toClose) {
        var eldest = open.entrySet().iterator();
        while (open.size() > config.sqliteOpenDatabases()) {
            Map.Entry<Path, Entry> victim = eldest.next();
            eldest.remove();
            retire(victim.getValue(), toClose);
        }
    }

    private static void retire(Entry entry, List<Entry> toClose) {
        entry.retired = true;
        if (entry.leases == 0) {
            toClose.add(entry);
        }
    }

    @Override
    public void close() {
        List<Entry> toClose = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            open.values().forEach(entry -> retire(entry, toClose));
            open.clear();
        } finally {
            lock.unlock();
        }
        toClose.forEach(Entry::closePool);
    }

    /** A pool and its borrowers; mutable fields are guarded by the owner's lock. */
    private static final class Entry {
        final Object fileKey;
        final HikariDataSource pool;
        int leases;
        boolean retired;

        Entry(Object fileKey, HikariDataSource pool) {
            this.fileKey = fileKey;
            this.pool = pool;
        }

        void closePool() {
            pool.close();
        }
    }
}
