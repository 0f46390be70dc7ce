package io.beamline.worker.block.sql;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteConnection;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteLimits;
import org.sqlite.SQLiteOpenMode;

/**
 * Opens one existing SQLite file so that the database itself refuses every write: the file is
 * opened {@code SQLITE_OPEN_READONLY} (never created), {@code PRAGMA query_only} is on, no
 * other database can be attached ({@code SQLITE_LIMIT_ATTACHED = 0}, so a tenant cannot reach
 * another tenant's file), schema-defined functions in views and triggers of an untrusted file
 * do not run ({@code trusted_schema = OFF}), and extensions cannot be loaded. No value may be
 * longer than a whole result may be ({@code SQLITE_LIMIT_LENGTH}): {@code zeroblob(150000000)}
 * fails in SQLite as "string or blob too big" instead of arriving in the heap. The path is an
 * absolute file name, never a {@code file:} URI, so no URI parameter can change the mode.
 * Thread-safe, as {@link SQLiteDataSource} is.
 */
final class ReadOnlySqliteDataSource extends SQLiteDataSource {
    private static final int BUSY_TIMEOUT_MS = 3_000;

    private final int maxValueBytes;

    ReadOnlySqliteDataSource(Path file, int maxValueBytes) {
        super(readOnlyConfig());
        this.maxValueBytes = maxValueBytes;
        setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    }

    private static SQLiteConfig readOnlyConfig() {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(true);
        config.setOpenMode(SQLiteOpenMode.READONLY);
        config.enableLoadExtension(false);
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        return config;
    }

    @Override
    public SQLiteConnection getConnection(String username, String password) throws SQLException {
        SQLiteConnection connection = super.getConnection(username, password);
        try (Statement statement = connection.createStatement()) {
            connection.setLimit(SQLiteLimits.SQLITE_LIMIT_ATTACHED, 0);
            connection.setLimit(SQLiteLimits.SQLITE_LIMIT_LENGTH, maxValueBytes);
            statement.execute("PRAGMA query_only = true");
            statement.execute("PRAGMA trusted_schema = false");
            return connection;
        } catch (SQLException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }
}
