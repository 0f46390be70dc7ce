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
 * ({@code id}, {@code id_2}) so no column is lost. The rows' size as JSON is counted as they
 * are read, and reading stops with {@link ResultTooLargeException} once it passes
 * {@code maxBytes}: a row limit alone let ten 40 MB values fill the heap. Stateless; thread-safe.
 */
final class RowReader {
    private RowReader() {
    }

    /** Thrown when the rows read so far hold more than the result may. */
    static final class ResultTooLargeException extends Exception {
        ResultTooLargeException(long bytes, int rows) {
            super("more than " + bytes + " bytes in the first " + rows + " row(s)", null, false, false);
        }
    }

    static SqlOutput read(ResultSet rows, Dialect dialect, int rowLimit, int maxBytes)
            throws SQLException, ResultTooLargeException {
        ResultSetMetaData meta = rows.getMetaData();
        int columns = meta.getColumnCount();
        List<String> labels = labels(meta);
        List<JsonValues.Kind> kinds = new ArrayList<>(columns);
        for (int column = 1; column <= columns; column++) {
            kinds.add(JsonValues.kind(meta, column, dialect));
        }
        long labelBytes = 2;  // a row's braces, labels, quotes, colons and commas
        for (String label : labels) {
            labelBytes += label.length() + 4;
        }
        List<Map<String, Object>> result = new ArrayList<>();
        boolean truncated = false;
        long bytes = 0;
        while (rows.next()) {
            if (result.size() == rowLimit) {
                truncated = true;
                break;
            }
            LinkedHashMap<String, Object> row = LinkedHashMap.newLinkedHashMap(columns);
            bytes += labelBytes;
            for (int column = 1; column <= columns; column++) {
                Object value = JsonValues.read(rows, column, kinds.get(column - 1));
                bytes += jsonBytes(value);
                row.put(labels.get(column - 1), value);
            }
            if (bytes > maxBytes) {
                throw new ResultTooLargeException(maxBytes, result.size() + 1);
            }
            result.add(new ResultRow(row));
        }
        return new SqlOutput(Collections.unmodifiableList(result), result.size(), truncated ? Boolean.TRUE : null);
    }

    /** About what a value takes as JSON: its characters (non-ASCII and escapes counted once), or a number's width. */
    static long jsonBytes(Object value) {
        return switch (value) {
            case null -> 4;
            case String text -> text.length() + 2L;
            case Boolean flag -> 5;
            case List<?> items -> {
                long sum = 2 + items.size();
                for (Object item : items) {
                    sum += jsonBytes(item);
                }
                yield sum;
            }
            case java.math.BigDecimal number -> number.precision() + 8L;  // digits, sign, point, exponent
            case java.math.BigInteger number -> number.bitLength() / 3 + 2L;
            default -> 24;  // a long or a double
        };
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
