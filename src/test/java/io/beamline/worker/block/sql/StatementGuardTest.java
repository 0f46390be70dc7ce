package io.beamline.worker.block.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.contract.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class StatementGuardTest {

    private static String allowed(String sql, Dialect dialect) {
        Outcome<String> outcome = StatementGuard.check(sql, dialect);
        assertThat(outcome).as("%s in %s", sql, dialect).isInstanceOf(Outcome.Success.class);
        return ((Outcome.Success<String>) outcome).value();
    }

    private static ErrorCode refused(String sql, Dialect dialect) {
        Outcome<String> outcome = StatementGuard.check(sql, dialect);
        assertThat(outcome).as("%s in %s", sql, dialect).isInstanceOf(Outcome.Failure.class);
        return ((Outcome.Failure<String>) outcome).error().code();
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void readStatementsPass(Dialect dialect) {
        assertThat(allowed("SELECT * FROM users WHERE id = ?", dialect)).isEqualTo("SELECT * FROM users WHERE id = ?");
        allowed("  with x as (select 1) select * from x", dialect);
        allowed("((SELECT 1)) UNION (SELECT 2)", dialect);
        allowed("VALUES (1), (2)", dialect);
        allowed("EXPLAIN SELECT 1", dialect);
        allowed("/* why */ SELECT 1", dialect);
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aTrailingSemicolonAndCommentsAreDropped(Dialect dialect) {
        assertThat(allowed("SELECT 1 ;  /* done */ ;\n", dialect)).isEqualTo("SELECT 1");
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aSecondStatementIsRefused(Dialect dialect) {
        assertThat(refused("SELECT 1; DELETE FROM users", dialect)).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refused("SELECT 1;SELECT 2", dialect)).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refused("SELECT 'a;b'; DROP TABLE users", dialect)).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refused("SELECT 1 /* ; */ ; DELETE FROM users", dialect)).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PRAGMA query_only = 0", "ATTACH DATABASE 'x' AS y", "DETACH y", "VACUUM", "INSERT INTO t VALUES (1)",
            "UPDATE t SET a = 1", "DELETE FROM t", "DROP TABLE t", "CREATE TABLE t (a)", "ALTER TABLE t ADD b", "REPLACE INTO t VALUES (1)",
            "TRUNCATE t", "SET x = 1", "COPY t TO '/tmp/x'", "GRANT ALL ON t TO public", "CALL p()", "begin", "(DELETE FROM t)"})
    void statementsThatAreNotReadsAreRefused(String sql) {
        for (Dialect dialect : Dialect.values()) {
            assertThat(refused(sql, dialect)).as("%s in %s", sql, dialect).isEqualTo(ErrorCode.PERMISSION_DENIED);
        }
    }

    @Test
    void showIsAReadOnServersOnly() {
        allowed("SHOW TABLES", Dialect.MARIADB);
        allowed("SHOW search_path", Dialect.POSTGRESQL);
        assertThat(refused("SHOW TABLES", Dialect.SQLITE)).isEqualTo(ErrorCode.PERMISSION_DENIED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "-- only a comment", "42", "'text'", "SELECT 'unterminated", "SELECT /* unterminated",
            "SELECT \"unterminated", "SELECT 1\0; DELETE FROM t"})
    void malformedOrEmptyTextIsInvalidInput(String sql) {
        for (Dialect dialect : Dialect.values()) {
            assertThat(refused(sql, dialect)).as("%s in %s", sql, dialect).isEqualTo(ErrorCode.INVALID_INPUT);
        }
    }

    @Test
    void sqliteQuotedIdentifiersHideSemicolons() {
        allowed("SELECT \"a;b\", [c;d], `e;f` FROM t -- ; DELETE", Dialect.SQLITE);
    }

    @Test
    void postgresDollarQuotesEscapeStringsAndNestedCommentsHideSemicolons() {
        allowed("SELECT $$a;b$$, $tag$ ; $$ ; $tag$, E'\\';', /* outer /* ; */ ; */ 1", Dialect.POSTGRESQL);
    }

    @Test
    void postgresNumberedParametersAreRefusedForQuestionMarks() {
        assertThat(refused("SELECT $1::int", Dialect.POSTGRESQL)).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refused("SELECT * FROM t WHERE a = $12", Dialect.POSTGRESQL)).isEqualTo(ErrorCode.INVALID_INPUT);
        allowed("SELECT '$1', \"$1\", a$1, $q$ $1 $q$ FROM t WHERE b = ?", Dialect.POSTGRESQL);
        allowed("SELECT '$1'", Dialect.SQLITE);
    }

    @Test
    void postgresPlainStringsTakeNoBackslashEscapes() {
        assertThat(refused("SELECT 'a\\'; DELETE FROM t", Dialect.POSTGRESQL)).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refused("SELECT $$ unterminated", Dialect.POSTGRESQL)).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void mariadbStringsTakeBackslashEscapesAndHashStartsAComment() {
        allowed("SELECT 'a\\';b', \"c\\\";\" # ; DELETE", Dialect.MARIADB);
        assertThat(refused("SELECT 'a\\'; DELETE FROM t", Dialect.MARIADB)).isEqualTo(ErrorCode.INVALID_INPUT);
    }

    @Test
    void mariadbDoubleDashIsACommentOnlyBeforeABlank() {
        assertThat(refused("SELECT 1 --x; DELETE FROM t", Dialect.MARIADB)).isEqualTo(ErrorCode.INVALID_INPUT);
        allowed("SELECT 1 --x; DELETE FROM t", Dialect.SQLITE);
        allowed("SELECT 1 -- x; DELETE FROM t", Dialect.MARIADB);
    }

    @Test
    void mariadbExecutableCommentsAndFileWritesAreRefused() {
        assertThat(refused("SELECT 1 /*! , 2 */", Dialect.MARIADB)).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refused("SELECT 1 /*M!100000 , 2 */", Dialect.MARIADB)).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(refused("SELECT * FROM t INTO OUTFILE '/tmp/x'", Dialect.MARIADB)).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(refused("SELECT * FROM t INTO dumpfile '/tmp/x'", Dialect.MARIADB)).isEqualTo(ErrorCode.PERMISSION_DENIED);
        allowed("SELECT 1 /*! , 2 */", Dialect.POSTGRESQL);
    }
}
