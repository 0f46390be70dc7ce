package io.beamline.worker.block.sql;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Turns a job's {@code connection_string} into a {@link ConnectionTarget} (SPEC §4.3):
 * {@code sqlite://NAME} names a file inside the tenant's root; anything else must be the name
 * of an operator-configured connection. A job can never bring its own server URL or
 * credentials, nor SQLite URI parameters, {@code file:} URIs or {@code :memory:} (URI
 * parameters could reopen a file writable). Stateless apart from its configuration; thread-safe.
 */
final class ConnectionResolver {
    static final String SQLITE_PREFIX = "sqlite://";
    private static final int SHOWN_LENGTH = 64;

    private final SqlConfig config;
    private final TenantPaths paths;

    ConnectionResolver(SqlConfig config, TenantPaths paths) {
        this.config = config;
        this.paths = paths;
    }

    Outcome<ConnectionTarget> resolve(String connectionString, String tenantId) {
        if (connectionString.startsWith(SQLITE_PREFIX)) {
            return sqliteFile(connectionString.substring(SQLITE_PREFIX.length()), tenantId);
        }
        if (looksLikeUrl(connectionString)) {
            return refused(ErrorCode.PERMISSION_DENIED, "a job cannot supply its own server URL or credentials;"
                    + " name a connection the operator configured, or use sqlite://NAME");
        }
        return config.jdbcUrl(connectionString)
                .<Outcome<ConnectionTarget>>map(url -> Outcome.success(new ConnectionTarget.Named(
                        connectionString, url, Dialect.ofJdbcUrl(url).orElseThrow())))
                .orElseGet(() -> refused(ErrorCode.INVALID_INPUT, "unknown connection \"" + shown(connectionString) + "\""));
    }

    private Outcome<ConnectionTarget> sqliteFile(String name, String tenantId) {
        if (name.isEmpty()) {
            return refused(ErrorCode.INVALID_INPUT, "sqlite:// must name a database file");
        }
        if (name.indexOf('?') >= 0 || name.indexOf(':') >= 0 || name.indexOf('#') >= 0) {
            return refused(ErrorCode.PERMISSION_DENIED,
                    "sqlite:// names a file in the tenant's directory; URI parameters, file: URIs and :memory: are refused");
        }
        try {
            // the real path: SQLite opens it by name and refuses any link on it (ReadOnlySqliteDataSource)
            Path file = paths.locate(tenantId, name).realTarget();
            return Outcome.success(new ConnectionTarget.SqliteFile(name, file));
        } catch (TenantPaths.PathRefusedException e) {
            return refused(ErrorCode.PERMISSION_DENIED, e.getMessage());
        } catch (IOException e) {
            return refused(ErrorCode.EXECUTION_FAILED, "cannot open the tenant's directory: " + e.getMessage());
        }
    }

    /** Configured names are plain words; these characters only appear in URLs and credentials. */
    private static boolean looksLikeUrl(String connectionString) {
        for (int i = 0; i < connectionString.length(); i++) {
            char c = connectionString.charAt(i);
            if (c == ':' || c == '/' || c == '@' || c == '=' || c == ';' || c == '?' || c == '\\') {
                return true;
            }
        }
        return false;
    }

    private static String shown(String text) {
        return text.length() <= SHOWN_LENGTH ? text : text.substring(0, SHOWN_LENGTH) + "…";
    }

    private static Outcome<ConnectionTarget> refused(ErrorCode code, String message) {
        return Outcome.failure(ExecError.of(code, message));
    }
}
