package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/** Result of {@code sql.query} ({@code contract/result-sql.json}): rows as column → value objects. */
public record SqlOutput(
        List<Map<String, Object>> rows,
        @JsonProperty("row_count") Integer rowCount,
        Boolean truncated) {

    public static SqlOutput of(List<Map<String, Object>> rows) {
        return new SqlOutput(rows, rows.size(), null);
    }
}
