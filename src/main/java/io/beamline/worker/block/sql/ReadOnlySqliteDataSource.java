package io.beamline.worker.block.sql;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
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
 * absolute file name, never a {@code file:} URI, so no URI parameter can change the mode. The
 * name is the file's real path, and SQLite refuses a symbolic link anywhere on it
 * ({@code SQLITE_OPEN_NOFOLLOW}): a link swapped into the tenant's directory after the path was
 * checked fails the open ({@code SQLITE_CANTOPEN_SYMLINK}) instead of reaching a file outside.
 * Thread-safe, as {@link SQLiteDataSource} is.
 */
final class ReadOnlySqliteDataSource extends SQLiteDataSource {
    private static final int BUSY_TIMEOUT_MS = 3_000;
    /** {@code SQLITE_OPEN_NOFOLLOW} (SQLite 3.31), which {@link SQLiteOpenMode} does not name. */
    private static final int SQLITE_OPEN_NOFOLLOW = 0x01000000;

    private final int maxValueBytes;

    ReadOnlySqliteDataSource(Path file, int maxValueBytes) {
        super(readOnlyConfig());
        this.maxValueBytes = maxValueBytes;
        setUrl("jdbc:sqlite:" + file.toAbsolutePath());
    }

    private static SQLiteConfig readOnlyConfig() {
        // the flags' only way in: setOpenMode takes SQLiteOpenMode constants
        Properties flags = new Properties();
        flags.setProperty(SQLiteConfig.Pragma.OPEN_MODE.pragmaName, Integer.toString(SQLITE_OPEN_NOFOLLOW));
        SQLiteConfig config = new SQLiteConfig(flags);
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
