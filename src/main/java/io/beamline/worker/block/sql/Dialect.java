package io.beamline.worker.block.sql;

import java.util.Optional;
import java.util.Set;

/**
 * The database families the block talks to. Each differs in how SQL text is lexed (quotes,
 * comments), which statements count as reads, and how read-only is enforced on a connection.
 * Immutable.
 */
enum Dialect {
    SQLITE(Set.of("SELECT", "WITH", "VALUES", "EXPLAIN")),
    POSTGRESQL(Set.of("SELECT", "WITH", "VALUES", "EXPLAIN", "SHOW")),
    MARIADB(Set.of("SELECT", "WITH", "VALUES", "EXPLAIN", "SHOW"));

    private final Set<String> readKeywords;

    Dialect(Set<String> readKeywords) {
        this.readKeywords = readKeywords;
    }

    /** The dialect of an operator's JDBC URL; empty for databases whose read-only we cannot enforce. */
    static Optional<Dialect> ofJdbcUrl(String jdbcUrl) {
        if (jdbcUrl.startsWith("jdbc:postgresql://")) {
            return Optional.of(POSTGRESQL);
        }
        if (jdbcUrl.startsWith("jdbc:mariadb://")) {
            return Optional.of(MARIADB);
        }
        return Optional.empty();
    }

    /** Upper-case first keywords of the statements this dialect may run. */
    Set<String> readKeywords() {
        return readKeywords;
    }

    /** MariaDB reads {@code \'} inside '…' and "…" as an escaped quote. */
    boolean backslashEscapesInStrings() {
        return this == MARIADB;
    }

    /** PostgreSQL's {@code E'…'} strings take backslash escapes. */
    boolean escapeStringPrefix() {
        return this == POSTGRESQL;
    }

    /** MariaDB: {@code #} starts a comment, and {@code --} does only when followed by a blank. */
    boolean mysqlComments() {
        return this == MARIADB;
    }

    /** PostgreSQL block comments nest. */
    boolean nestedBlockComments() {
        return this == POSTGRESQL;
    }

    /** PostgreSQL's {@code $tag$…$tag$} strings. */
    boolean dollarQuotes() {
        return this == POSTGRESQL;
    }

    /** {@code `identifier`} (MariaDB, SQLite) and {@code [identifier]} (SQLite). */
    boolean backtickIdentifiers() {
        return this != POSTGRESQL;
    }

    boolean bracketIdentifiers() {
        return this == SQLITE;
    }

    /** Whether values read as JDBC dates and times really are: SQLite stores them as text or numbers. */
    boolean typedTemporals() {
        return this != SQLITE;
    }
}
