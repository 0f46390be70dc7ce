package io.beamline.worker.block.sql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Converts column values to the JSON types of a result row: integers → Long (BigInteger past
 * 64 bits), decimals → BigDecimal, floating point → Double (NaN and infinities as text),
 * booleans → Boolean, NULL and PostgreSQL's void → null, dates and times → ISO-8601 text, bytes → base64 text,
 * arrays → lists, anything else → its text. Stateless; thread-safe.
 */
final class JsonValues {

    /** How a column is read: through {@code getObject()}, or as a java.time value. */
    enum Kind {
        PLAIN(null, null),
        /** PostgreSQL's {@code void} (a function that returns nothing): null, not the driver's empty text. */
        VOID(null, null),
        LOCAL_DATE_TIME(LocalDateTime.class, DateTimeFormatter.ISO_LOCAL_DATE_TIME),
        OFFSET_DATE_TIME(OffsetDateTime.class, DateTimeFormatter.ISO_OFFSET_DATE_TIME),
        LOCAL_DATE(LocalDate.class, DateTimeFormatter.ISO_LOCAL_DATE),
        LOCAL_TIME(LocalTime.class, DateTimeFormatter.ISO_LOCAL_TIME),
        OFFSET_TIME(OffsetTime.class, DateTimeFormatter.ISO_OFFSET_TIME);

        private final Class<? extends TemporalAccessor> type;
        private final DateTimeFormatter format;

        Kind(Class<? extends TemporalAccessor> type, DateTimeFormatter format) {
            this.type = type;
            this.format = format;
        }
    }

    private JsonValues() {
    }

    /** SQLite keeps dates as text or numbers whatever the declared type, so its values stay plain. */
    static Kind kind(ResultSetMetaData meta, int column, Dialect dialect) throws SQLException {
        if (!dialect.typedTemporals()) {
            return Kind.PLAIN;
        }
        String typeName = String.valueOf(meta.getColumnTypeName(column)).toLowerCase(Locale.ROOT);
        if (typeName.equals("void")) {
            return Kind.VOID;
        }
        return switch (meta.getColumnType(column)) {
            case Types.TIMESTAMP_WITH_TIMEZONE -> Kind.OFFSET_DATE_TIME;
            case Types.TIMESTAMP -> typeName.equals("timestamptz") ? Kind.OFFSET_DATE_TIME : Kind.LOCAL_DATE_TIME;
            case Types.DATE -> Kind.LOCAL_DATE;
            case Types.TIME_WITH_TIMEZONE -> Kind.OFFSET_TIME;
            case Types.TIME -> typeName.equals("timetz") ? Kind.OFFSET_TIME : Kind.LOCAL_TIME;
            default -> Kind.PLAIN;
        };
    }

    static Object read(ResultSet rows, int column, Kind kind) throws SQLException {
        if (kind == Kind.PLAIN) {
            return json(rows.getObject(column));
        }
        if (kind == Kind.VOID) {
            return null;
        }
        TemporalAccessor value = rows.getObject(column, kind.type);
        return value == null ? null : kind.format.format(value);
    }

    static Object json(Object value) throws SQLException {
        return switch (value) {
            case null -> null;
            case Long number -> number;
            case Integer number -> number.longValue();
            case Short number -> number.longValue();
            case Byte number -> number.longValue();
            case BigInteger number -> number.bitLength() < Long.SIZE ? (Object) number.longValue() : number;
            case BigDecimal number -> number;
            case Double number -> finiteOrText(number);
            case Float number -> finiteOrText(Double.parseDouble(number.toString()));
            case Boolean flag -> flag;
            case byte[] bytes -> Base64.getEncoder().encodeToString(bytes);
            case Blob blob -> Base64.getEncoder().encodeToString(blob.getBytes(1, Math.toIntExact(blob.length())));
            case Clob clob -> clob.getSubString(1, Math.toIntExact(clob.length()));
            case Array array -> list(array);
            case Object[] items -> list(items);
            case Timestamp timestamp -> DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(timestamp.toLocalDateTime());
            case java.sql.Date date -> DateTimeFormatter.ISO_LOCAL_DATE.format(date.toLocalDate());
            case Time time -> DateTimeFormatter.ISO_LOCAL_TIME.format(time.toLocalTime());
            case LocalDateTime dateTime -> DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(dateTime);
            case OffsetDateTime dateTime -> DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(dateTime);
            case LocalTime time -> DateTimeFormatter.ISO_LOCAL_TIME.format(time);
            case OffsetTime time -> DateTimeFormatter.ISO_OFFSET_TIME.format(time);
            default -> value.toString();
        };
    }

    /**
     * An array's elements, each by the column rules of its own type: read through the array's
     * result set, so that a {@code timestamptz[]} keeps its offset and a {@code timestamp[]}
     * its wall-clock value (as {@code java.sql.Timestamp} they went through the JVM's zone:
     * offsets lost, values shifted on a non-UTC machine). Arrays come from PostgreSQL only.
     */
    private static Object list(Array array) throws SQLException {
        ResultSet elements;
        try {
            elements = array.getResultSet();
        } catch (SQLFeatureNotSupportedException e) {
            return list(array.getArray());
        }
        try (elements) {
            Kind kind = kind(elements.getMetaData(), 2, Dialect.POSTGRESQL);  // column 1 is the index
            List<Object> list = new ArrayList<>();
            while (elements.next()) {
                list.add(read(elements, 2, kind));
            }
            return Collections.unmodifiableList(list);
        }
    }

    private static Object list(Object elements) throws SQLException {
        if (!(elements instanceof Object[] items)) {
            return String.valueOf(elements);
        }
        List<Object> list = new ArrayList<>(items.length);
        for (Object item : items) {
            list.add(json(item));
        }
        return Collections.unmodifiableList(list);
    }

    private static Object finiteOrText(double number) {
        return Double.isFinite(number) ? (Object) number : Double.toString(number);
    }
}
