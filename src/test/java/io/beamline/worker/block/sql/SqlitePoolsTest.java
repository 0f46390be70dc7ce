package io.beamline.worker.block.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlitePoolsTest {
    private final ScheduledThreadPoolExecutor housekeeper = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon(true).factory());
    private final SqlitePools pools = new SqlitePools(
            new SqlConfig(Map.of(), 100, 1, 1, 2, Duration.ofSeconds(5), Duration.ofSeconds(1)), housekeeper);

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        pools.close();
        housekeeper.shutdownNow();
    }

    @Test
    void onlyTheConfiguredNumberOfFilesStayOpen() throws Exception {
        for (String name : new String[] {"a.sqlite", "b.sqlite", "c.sqlite"}) {
            try (ConnectionLease lease = pools.connection(database(name))) {
                assertThat(valueOf(lease)).isEqualTo(name);
            }
        }

        assertThat(pools.openPools()).isEqualTo(2);
    }

    @Test
    void evictingAPoolInUseLetsItsQueryFinish() throws Exception {
        try (ConnectionLease held = pools.connection(database("a.sqlite"))) {
            pools.connection(database("b.sqlite")).close();
            pools.connection(database("c.sqlite")).close();

            assertThat(valueOf(held)).isEqualTo("a.sqlite");
        }
        try (ConnectionLease again = pools.connection(dir.resolve("a.sqlite"))) {
            assertThat(valueOf(again)).isEqualTo("a.sqlite");
        }
    }

    @Test
    void aDatabaseInWalModeCanBeRead() throws Exception {
        Path file = dir.resolve("wal.sqlite");
        SqlSteps.execute("jdbc:sqlite:" + file, "PRAGMA journal_mode = WAL", "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('wal')");

        try (ConnectionLease lease = pools.connection(file)) {
            assertThat(valueOf(lease)).isEqualTo("wal");
        }
    }

    @Test
    void aMissingFileIsNotCreated() {
        assertThatThrownBy(() -> pools.connection(dir.resolve("missing.sqlite"))).isInstanceOf(NoSuchFileException.class);
        assertThat(dir.resolve("missing.sqlite")).doesNotExist();
    }

    @Test
    void connectionsAreReadOnly() throws Exception {
        try (ConnectionLease lease = pools.connection(database("a.sqlite")); Statement statement = lease.connection().createStatement()) {
            assertThat(lease.connection().isReadOnly()).isTrue();
            assertThatThrownBy(() -> statement.execute("INSERT INTO t VALUES ('x')")).hasMessageContaining("readonly");
        }
    }

    private Path database(String name) throws Exception {
        Path file = dir.resolve(name);
        SqlSteps.execute("jdbc:sqlite:" + file, "CREATE TABLE t (v TEXT)", "INSERT INTO t VALUES ('" + name + "')");
        return file;
    }

    private static String valueOf(ConnectionLease lease) throws Exception {
        try (Statement statement = lease.connection().createStatement(); ResultSet rows = statement.executeQuery("SELECT v FROM t")) {
            rows.next();
            return rows.getString(1);
        }
    }
}
