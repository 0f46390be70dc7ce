package io.beamline.worker.block.sql;

import java.nio.file.Path;

/** Where a job's query runs, once its {@code connection_string} has been checked. Immutable. */
sealed interface ConnectionTarget {

    Dialect dialect();

    /** {@code sqlite://NAME}: a database file inside the tenant's root; it may not exist. */
    record SqliteFile(String name, Path file) implements ConnectionTarget {
        public Dialect dialect() {
            return Dialect.SQLITE;
        }
    }

    /** A server the operator configured under {@code name}. */
    record Named(String name, String jdbcUrl, Dialect dialect) implements ConnectionTarget {
        @Override
        public String toString() {
            // the URL may carry credentials: keep it out of logs and messages
            return "Named[name=" + name + ", dialect=" + dialect + "]";
        }
    }
}
