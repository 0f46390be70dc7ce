package io.beamline.worker.block.sql;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One result row: column label → JSON value, in column order. It is written with every column,
 * NULL ones as {@code null}: the worker's codec omits null fields everywhere else, but a
 * missing key would make a NULL column look like a column the query never selected.
 * Immutable and thread-safe.
 */
@JsonSerialize(using = ResultRow.NullKeepingSerializer.class)
final class ResultRow extends AbstractMap<String, Object> {
    private final Map<String, Object> columns;

    ResultRow(LinkedHashMap<String, Object> columns) {
        this.columns = Collections.unmodifiableMap(columns);
    }

    @Override
    public Set<Entry<String, Object>> entrySet() {
        return columns.entrySet();
    }

    @Override
    public Object get(Object key) {
        return columns.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return columns.containsKey(key);
    }

    /** Writes all columns, nulls included, in order. */
    static final class NullKeepingSerializer extends StdSerializer<ResultRow> {
        NullKeepingSerializer() {
            super(ResultRow.class);
        }

        @Override
        public void serialize(ResultRow row, JsonGenerator generator, SerializerProvider provider) throws IOException {
            generator.writeStartObject(row);
            for (Entry<String, Object> column : row.entrySet()) {
                generator.writeFieldName(column.getKey());
                provider.defaultSerializeValue(column.getValue(), generator);
            }
            generator.writeEndObject();
        }
    }
}
