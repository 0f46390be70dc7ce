package io.beamline.worker.block.sql;

import io.beamline.worker.contract.SqlOutput;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a result set into {@link ResultRow}s (column label → JSON value), up to the row
 * limit; one row more means the result was truncated. Repeated labels get a suffix
 * ({@code id}, {@code id_2}) so no column is lost. Stateless; thread-safe.
 */
final class RowReader {
    private RowReader() {
    }

    static SqlOutput read(ResultSet rows, Dialect dialect, int rowLimit) throws SQLException {
        ResultSetMetaData meta = rows.getMetaData();
        int columns = meta.getColumnCount();
        List<String> labels = labels(meta);
        List<JsonValues.Kind> kinds = new ArrayList<>(columns);
        for (int column = 1; column <= columns; column++) {
            kinds.add(JsonValues.kind(meta, column, dialect));
        }
        List<Map<String, Object>> result = new ArrayList<>();
        boolean truncated = false;
        while (rows.next()) {
            if (result.size() == rowLimit) {
                truncated = true;
                break;
            }
            LinkedHashMap<String, Object> row = LinkedHashMap.newLinkedHashMap(columns);
            for (int column = 1; column <= columns; column++) {
                row.put(labels.get(column - 1), JsonValues.read(rows, column, kinds.get(column - 1)));
            }
            result.add(new ResultRow(row));
        }
        return new SqlOutput(Collections.unmodifiableList(result), result.size(), truncated ? Boolean.TRUE : null);
    }

    static List<String> labels(ResultSetMetaData meta) throws SQLException {
        int columns = meta.getColumnCount();
        List<String> labels = new ArrayList<>(columns);
        Set<String> used = new HashSet<>();
        for (int column = 1; column <= columns; column++) {
            String base = meta.getColumnLabel(column);
            if (base == null || base.isEmpty()) {
                base = "column_" + column;
            }
            String label = base;
            for (int suffix = 2; !used.add(label); suffix++) {
                label = base + "_" + suffix;
            }
            labels.add(label);
        }
        return labels;
    }
}
