package io.beamline.worker.block.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionResolverTest {
    private static final String REPORTING_URL = "jdbc:postgresql://db:5432/reports?user=reader&password=secret";

    @TempDir
    Path dataDir;

    private ConnectionResolver resolver() {
        return new ConnectionResolver(SqlConfig.defaults(Map.of("reporting", REPORTING_URL)), new TenantPaths(dataDir));
    }

    @Test
    void sqliteNamesAFileInsideTheTenantsRoot() {
        Outcome<ConnectionTarget> outcome = resolver().resolve("sqlite://reports/q1.sqlite", "tenant-a");

        assertThat(outcome).isEqualTo(Outcome.success(new ConnectionTarget.SqliteFile("reports/q1.sqlite",
                dataDir.toAbsolutePath().resolve("tenant-a/reports/q1.sqlite"))));
    }

    @Test
    void aConfiguredNameResolvesToItsServerWithoutShowingTheUrl() {
        Outcome<ConnectionTarget> outcome = resolver().resolve("reporting", "tenant-a");

        assertThat(outcome).isEqualTo(Outcome.success(new ConnectionTarget.Named("reporting", REPORTING_URL, Dialect.POSTGRESQL)));
        assertThat(outcome.toString()).doesNotContain("secret");
    }

    @Test
    void anUnknownNameIsInvalidInput() {
        assertThat(codeOf(resolver().resolve("reporting2", "tenant-a"))).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"jdbc:postgresql://db/reports", "postgres://user:pw@host/db", "mariadb://root@db/x", "user@host",
            "host:5432", "sqlite:db.sqlite", "SQLITE://db.sqlite", "sqlite://../b/db.sqlite", "sqlite:///etc/../../x",
            "sqlite://file:db.sqlite", "sqlite://db.sqlite?mode=rwc", "sqlite://:memory:", "sqlite://db.sqlite#x"})
    void jobSuppliedUrlsAndEscapesArePermissionDenied(String connectionString) {
        assertThat(codeOf(resolver().resolve(connectionString, "tenant-a"))).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    private static ErrorCode codeOf(Outcome<ConnectionTarget> outcome) {
        assertThat(outcome).isInstanceOf(Outcome.Failure.class);
        return ((Outcome.Failure<ConnectionTarget>) outcome).error().code();
    }
}
