package io.beamline.worker.block.sql;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import java.util.Locale;
import java.util.TreeSet;

/**
 * Checks a job's SQL text before any database sees it: exactly one statement (SQLite's prepare
 * and pgjdbc would otherwise ignore or run what follows a {@code ;}), starting with a read
 * keyword of the dialect (SELECT, WITH, VALUES, EXPLAIN; SHOW on servers). PRAGMA, ATTACH and
 * every write or DDL keyword are refused with 2003, malformed or multiple statements with 1001.
 *
 * <p>This is defence in depth: the read-only connection is the real guarantee against writes
 * (a PostgreSQL {@code WITH x AS (DELETE …) SELECT …} passes here and is refused by the
 * database). Stateless and thread-safe.
 */
final class StatementGuard {
    private static final int SHOWN_KEYWORD_LENGTH = 32;

    private StatementGuard() {
    }

    /** The single statement to prepare (without its trailing {@code ;}), or why it is refused. */
    static Outcome<String> check(String sql, Dialect dialect) {
        if (sql.indexOf('\0') >= 0) {
            return refused(ErrorCode.INVALID_INPUT, "query contains a NUL character");
        }
        SqlLexer.Statement statement;
        try {
            statement = SqlLexer.firstStatement(sql, dialect);
        } catch (SqlLexer.MalformedSqlException e) {
            return refused(ErrorCode.INVALID_INPUT, e.getMessage());
        }
        String firstWord = statement.firstWord();
        if (firstWord == null) {
            return refused(ErrorCode.INVALID_INPUT, "query is empty");
        }
        if (firstWord.isEmpty()) {
            return refused(ErrorCode.INVALID_INPUT, "query must start with a keyword such as SELECT");
        }
        String keyword = firstWord.toUpperCase(Locale.ROOT);
        if (!dialect.readKeywords().contains(keyword)) {
            return refused(ErrorCode.PERMISSION_DENIED, "only read statements may run ("
                    + String.join(", ", new TreeSet<>(dialect.readKeywords())) + "), not " + shown(keyword));
        }
        if (dialect == Dialect.MARIADB && (statement.hasWord("OUTFILE") || statement.hasWord("DUMPFILE"))) {
            return refused(ErrorCode.PERMISSION_DENIED, "SELECT … INTO OUTFILE/DUMPFILE writes files and is refused");
        }
        return Outcome.success(statement.text());
    }

    private static String shown(String keyword) {
        return keyword.length() <= SHOWN_KEYWORD_LENGTH ? keyword : keyword.substring(0, SHOWN_KEYWORD_LENGTH) + "…";
    }

    private static Outcome<String> refused(ErrorCode code, String message) {
        return Outcome.failure(ExecError.of(code, message));
    }
}
