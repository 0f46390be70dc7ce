package io.beamline.worker.block.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlConfigTest {

    @Test
    void defaultsAreValid() {
        SqlConfig config = SqlConfig.defaults(Map.of("reporting", "jdbc:postgresql://db:5432/reports?user=reader"));

        assertThat(config.maxRows()).isEqualTo(10_000);
        assertThat(config.queryTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.jdbcUrl("reporting")).contains("jdbc:postgresql://db:5432/reports?user=reader");
        assertThat(config.jdbcUrl("other")).isEmpty();
    }

    @Test
    void badValuesNameTheirOption() {
        Map<String, String> none = Map.of();
        Duration second = Duration.ofSeconds(1);
        assertThatThrownBy(() -> new SqlConfig(none, 0, 8, 2, 64, second, second))
                .isInstanceOf(ConfigException.class).hasMessage("--sql-max-rows must be between 1 and 1000000, got 0");
        assertThatThrownBy(() -> new SqlConfig(none, 10, 0, 2, 64, second, second)).hasMessageStartingWith("--sql-pool-size");
        assertThatThrownBy(() -> new SqlConfig(none, 10, 8, 0, 64, second, second)).hasMessageStartingWith("--sql-sqlite-pool-size");
        assertThatThrownBy(() -> new SqlConfig(none, 10, 8, 2, 0, second, second)).hasMessageStartingWith("--sql-sqlite-open-databases");
        assertThatThrownBy(() -> new SqlConfig(none, 10, 8, 2, 64, Duration.ZERO, second))
                .hasMessage("--sql-query-timeout-ms must be > 0, got 0");
        assertThatThrownBy(() -> new SqlConfig(none, 10, 8, 2, 64, second, Duration.ofMillis(100)))
                .hasMessage("--sql-connect-timeout-ms must be >= 250, got 100");
    }

    @Test
    void namedConnectionsMustBeServersWhoseReadOnlyIsEnforced() {
        assertThatThrownBy(() -> SqlConfig.defaults(Map.of("local", "jdbc:sqlite:/tmp/x.db")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--sql-connection local must be");
        assertThatThrownBy(() -> SqlConfig.defaults(Map.of("bad name", "jdbc:postgresql://db/x")))
                .hasMessageStartingWith("--sql-connection name must be");
        assertThat(SqlConfig.defaults(Map.of("maria", "jdbc:mariadb://db:3306/x")).namedConnections()).containsKey("maria");
    }

    /** Audit finding: these pgjdbc URL parameters let a job's query write (they win over the pool's settings). */
    @Test
    void postgresUrlParametersThatWouldLetAQueryWriteAreRefused() {
        assertThatThrownBy(() -> SqlConfig.defaults(Map.of("pg", "jdbc:postgresql://db/x?user=r&preferQueryMode=simple")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--sql-connection pg: preferQueryMode=simple is not allowed");
        assertThatThrownBy(() -> SqlConfig.defaults(Map.of("pg", "jdbc:postgresql://db/x?readOnlyMode=ignore")))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith("--sql-connection pg: readOnlyMode=ignore is not allowed");
        assertThatThrownBy(() -> SqlConfig.defaults(Map.of("pg", "jdbc:postgresql://db/x?readOnlyMode=transaction")))
                .hasMessageContaining("readOnlyMode=transaction");
        assertThatThrownBy(() -> SqlConfig.defaults(Map.of("pg", "jdbc:postgresql://db/x?preferQueryMode=%73imple")))
                .as("percent-encoded").hasMessageContaining("preferQueryMode=simple");

        for (String fine : new String[] {"jdbc:postgresql://db/x?preferQueryMode=extendedCacheEverything&readOnlyMode=always",
                "jdbc:postgresql://db/x?prepareThreshold=0", "jdbc:postgresql://db/x"}) {
            assertThat(SqlConfig.defaults(Map.of("pg", fine)).namedConnections()).as(fine).containsKey("pg");
        }
    }
}
