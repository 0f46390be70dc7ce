package io.beamline.worker.block.sql;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Finds where the first statement of a SQL text ends, lexing quoted text and comments the way
 * the dialect does, so a {@code ;} inside {@code 'a;b'}, {@code $$…$$} or a comment is not a
 * separator. Where a dialect's lexing depends on server settings (MariaDB's
 * {@code NO_BACKSLASH_ESCAPES}, PostgreSQL's {@code standard_conforming_strings}) the defaults
 * are assumed. Text it cannot read safely (unterminated quotes or comments, MariaDB's executable
 * comments, anything after the first statement) is refused, never guessed at. One instance
 * scans one text and is not shared.
 */
final class SqlLexer {
    private final String sql;
    private final Dialect dialect;
    private final Set<String> words = new HashSet<>();
    private int pos;
    /** null until the first token is seen; "" when that token is not a word. */
    private String firstWord;

    private SqlLexer(String sql, Dialect dialect) {
        this.sql = sql;
        this.dialect = dialect;
    }

    /**
     * The first statement of {@code sql}.
     *
     * @param text      the statement without its trailing {@code ;}
     * @param firstWord its first word (leading parentheses skipped); null for an empty text,
     *                  "" when it starts with something else
     * @param words     every bare word outside quotes and comments, upper-case
     */
    record Statement(String text, String firstWord, Set<String> words) {
        boolean hasWord(String upperCaseWord) {
            return words.contains(upperCaseWord);
        }
    }

    /** @throws MalformedSqlException when the text is malformed or holds more than one statement */
    static Statement firstStatement(String sql, Dialect dialect) throws MalformedSqlException {
        SqlLexer lexer = new SqlLexer(sql, dialect);
        int end = lexer.scanStatement();
        lexer.scanTail();
        return new Statement(sql.substring(0, end).strip(), lexer.firstWord, Set.copyOf(lexer.words));
    }

    /** Scans up to the first top-level {@code ;} (or the end) and returns where the statement ends. */
    private int scanStatement() throws MalformedSqlException {
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (c == ';') {
                return pos++;
            }
            if (skipBlankOrComment()) {
                continue;
            }
            if (firstWord == null && c == '(') {
                pos++;
                continue;
            }
            if (firstWord == null && !isWordStart(c)) {
                firstWord = "";
            }
            skipToken(c);
        }
        return pos;
    }

    /** After the first statement only blanks, comments and further {@code ;} may follow. */
    private void scanTail() throws MalformedSqlException {
        while (pos < sql.length()) {
            if (sql.charAt(pos) == ';') {
                pos++;
            } else if (!skipBlankOrComment()) {
                throw new MalformedSqlException("one statement only: text follows the first ';'");
            }
        }
    }

    private void skipToken(char c) throws MalformedSqlException {
        if (c == '\'') {
            skipQuoted('\'', dialect.backslashEscapesInStrings() || followsEscapePrefix());
        } else if (c == '"') {
            skipQuoted('"', dialect.backslashEscapesInStrings());
        } else if (c == '`' && dialect.backtickIdentifiers()) {
            skipQuoted('`', false);
        } else if (c == '[' && dialect.bracketIdentifiers()) {
            int close = sql.indexOf(']', pos + 1);
            if (close < 0) {
                throw new MalformedSqlException("unterminated [identifier]");
            }
            pos = close + 1;
        } else if (c == '$' && dialect.dollarQuotes() && dollarTag() != null) {
            skipDollarQuoted(dollarTag());
        } else if (c == '$' && dialect.dollarQuotes() && pos + 1 < sql.length() && Character.isDigit(sql.charAt(pos + 1))) {
            // parameters are bound by JDBC's ?; a $1 confused pgjdbc's parameter count into
            // breaking the pooled connection for the next tenant's query
            throw new MalformedSqlException("$n parameters are not supported: write ? for each parameter");
        } else if (isWordStart(c)) {
            readWord();
        } else {
            pos++;
        }
    }

    private boolean skipBlankOrComment() throws MalformedSqlException {
        char c = sql.charAt(pos);
        if (Character.isWhitespace(c)) {
            pos++;
            return true;
        }
        if (sql.startsWith("--", pos) && (!dialect.mysqlComments() || pos + 2 >= sql.length()
                || Character.isWhitespace(sql.charAt(pos + 2)) || Character.isISOControl(sql.charAt(pos + 2)))) {
            skipLine();
            return true;
        }
        if (c == '#' && dialect.mysqlComments()) {
            skipLine();
            return true;
        }
        if (sql.startsWith("/*", pos)) {
            skipBlockComment();
            return true;
        }
        return false;
    }

    private void skipLine() {
        while (pos < sql.length() && sql.charAt(pos) != '\n') {
            pos++;
        }
    }

    private void skipBlockComment() throws MalformedSqlException {
        if (dialect.mysqlComments() && (sql.startsWith("/*!", pos) || sql.startsWith("/*M!", pos))) {
            // MariaDB runs the text of these "comments" as SQL
            throw new MalformedSqlException("executable comments (/*! … */) are not allowed");
        }
        pos += 2;
        int depth = 1;
        while (pos < sql.length()) {
            if (dialect.nestedBlockComments() && sql.startsWith("/*", pos)) {
                depth++;
                pos += 2;
            } else if (sql.startsWith("*/", pos)) {
                pos += 2;
                if (--depth == 0) {
                    return;
                }
            } else {
                pos++;
            }
        }
        throw new MalformedSqlException("unterminated /* comment");
    }

    private void skipQuoted(char quote, boolean backslashEscapes) throws MalformedSqlException {
        int start = pos++;
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (backslashEscapes && c == '\\') {
                pos += 2;
            } else if (c == quote && pos + 1 < sql.length() && sql.charAt(pos + 1) == quote) {
                pos += 2;
            } else if (c == quote) {
                pos++;
                return;
            } else {
                pos++;
            }
        }
        throw new MalformedSqlException("unterminated " + quote + "quoted text" + quote + " starting at offset " + start);
    }

    /** PostgreSQL {@code E'…'}: the word just read was a lone E. */
    private boolean followsEscapePrefix() {
        return dialect.escapeStringPrefix() && pos > 0 && (sql.charAt(pos - 1) == 'E' || sql.charAt(pos - 1) == 'e')
                && (pos < 2 || !isWordPart(sql.charAt(pos - 2)));
    }

    /** The {@code $tag$} opening a dollar-quoted string at the cursor, or null ({@code $1} is a parameter). */
    private String dollarTag() {
        int i = pos + 1;
        while (i < sql.length() && (Character.isLetter(sql.charAt(i)) || sql.charAt(i) == '_'
                || (i > pos + 1 && Character.isDigit(sql.charAt(i))))) {
            i++;
        }
        return i < sql.length() && sql.charAt(i) == '$' ? sql.substring(pos, i + 1) : null;
    }

    private void skipDollarQuoted(String tag) throws MalformedSqlException {
        int close = sql.indexOf(tag, pos + tag.length());
        if (close < 0) {
            throw new MalformedSqlException("unterminated " + tag + " string");
        }
        pos = close + tag.length();
    }

    private void readWord() {
        int start = pos;
        while (pos < sql.length() && isWordPart(sql.charAt(pos))) {
            pos++;
        }
        String word = sql.substring(start, pos);
        words.add(word.toUpperCase(Locale.ROOT));
        if (firstWord == null) {
            firstWord = word;
        }
    }

    private static boolean isWordStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isWordPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** Text the lexer cannot read safely; reported as invalid input. */
    static final class MalformedSqlException extends Exception {
        MalformedSqlException(String message) {
            super(message, null, false, false);
        }
    }
}
