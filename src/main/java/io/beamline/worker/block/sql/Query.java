package io.beamline.worker.block.sql;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A checked statement ready to run: one read statement, its positional parameters (JSON
 * scalars; null elements are SQL NULL), the most rows to return and the time it may take.
 * Immutable.
 */
record Query(String sql, List<Object> parameters, int rowLimit, Duration timeout) {

    Query {
        // List.copyOf refuses null elements, and a null parameter is a legitimate SQL NULL
        parameters = Collections.unmodifiableList(new ArrayList<>(parameters));
    }

    /** JDBC's query timeout is whole seconds: round up so a 1.5 s budget is not cut to 1 s. */
    int timeoutSeconds() {
        long seconds = (timeout.toMillis() + 999) / 1000;
        return (int) Math.min(Integer.MAX_VALUE, Math.max(1, seconds));
    }
}
