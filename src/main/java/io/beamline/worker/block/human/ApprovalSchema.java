package io.beamline.worker.block.human;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Tables of the approval store. Token hashes, votes and the audit trail hang off the approval
 * and go with it when it is purged. {@code PRAGMA user_version} records the schema version so
 * a future change can migrate an existing file. Stateless.
 */
final class ApprovalSchema {
    private static final String[] VERSION_1 = {
        """
        CREATE TABLE approval (
            id TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL,
            trace_id TEXT,
            prompt TEXT NOT NULL,
            approvers TEXT NOT NULL,
            required_approvals INTEGER NOT NULL,
            on_timeout TEXT NOT NULL,
            created_at INTEGER NOT NULL,
            deadline INTEGER NOT NULL,
            state TEXT NOT NULL,
            result TEXT,
            reason TEXT,
            finished_at INTEGER,
            notified INTEGER NOT NULL DEFAULT 0,
            collected INTEGER NOT NULL DEFAULT 0,
            audit_omitted INTEGER NOT NULL DEFAULT 0,
            assignment TEXT NOT NULL)""",
        "CREATE INDEX approval_by_state ON approval (state, tenant_id, created_at)",
        "CREATE INDEX approval_uncollected ON approval (created_at) WHERE collected = 0",
        """
        CREATE TABLE approval_token (
            approval_id TEXT NOT NULL REFERENCES approval (id) ON DELETE CASCADE,
            approver TEXT NOT NULL,
            token_hash BLOB NOT NULL,
            PRIMARY KEY (approval_id, approver))""",
        """
        CREATE TABLE approval_vote (
            approval_id TEXT NOT NULL REFERENCES approval (id) ON DELETE CASCADE,
            approver TEXT NOT NULL,
            approved INTEGER NOT NULL,
            comment TEXT NOT NULL,
            decided_at INTEGER NOT NULL,
            PRIMARY KEY (approval_id, approver))""",
        """
        CREATE TABLE approval_audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            approval_id TEXT NOT NULL REFERENCES approval (id) ON DELETE CASCADE,
            at INTEGER NOT NULL,
            approver TEXT,
            approved INTEGER,
            accepted INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            detail TEXT NOT NULL)""",
        "CREATE INDEX approval_audit_by_approval ON approval_audit (approval_id, seq)",
    };

    /** The base of the links the approvers were notified with (null: notified before it was kept). */
    private static final String[] VERSION_2 = {
        "ALTER TABLE approval ADD COLUMN notified_url TEXT",
    };

    private ApprovalSchema() {
    }

    /** Brings the file to {@code version}; refuses a file written by a newer worker. */
    static void migrate(Statement statement, int version) throws SQLException {
        int current;
        try (ResultSet result = statement.executeQuery("PRAGMA user_version")) {
            current = result.next() ? result.getInt(1) : 0;
        }
        if (current > version) {
            throw new SQLException("approval store has schema version " + current
                    + ", newer than this worker understands (" + version + ")");
        }
        if (current < version) {
            statement.execute("BEGIN IMMEDIATE");
            if (current < 1) {
                for (String ddl : VERSION_1) {
                    statement.execute(ddl);
                }
            }
            if (current < 2) {
                for (String ddl : VERSION_2) {
                    statement.execute(ddl);
                }
            }
            statement.execute("PRAGMA user_version = " + version);
            statement.execute("COMMIT");
        }
    }
}
