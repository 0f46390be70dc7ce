package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * {@code sql.query} (SPEC §4.3). Parameters are JSON scalars (string, number, boolean, null)
 * bound positionally; {@code connection_string} is {@code sqlite://NAME} or the name of an
 * operator-configured connection.
 */
public record SqlQueryJob(
        String type,
        @JsonProperty("connection_string") String connectionString,
        String query,
        List<Object> parameters,
        @JsonProperty("max_rows") Integer maxRows,
        @JsonProperty("timeout_ms") Long timeoutMs) implements Job {

    @Override
    public String blockType() {
        return SQL_QUERY;
    }
}
