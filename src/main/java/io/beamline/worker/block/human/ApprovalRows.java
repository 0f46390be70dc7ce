package io.beamline.worker.block.human;

import com.fasterxml.jackson.core.type.TypeReference;
import io.beamline.worker.contract.ApprovalOutput;
import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The read side of {@link ApprovalStore}: queries and the mapping of rows to {@link Approval}.
 * Not thread-safe by itself; the store calls it under its lock.
 */
final class ApprovalRows {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };
    private static final String COLUMNS = "id, tenant_id, trace_id, prompt, approvers, required_approvals, on_timeout,"
            + " created_at, deadline, state, result, reason, audit_omitted";

    private final Connection connection;

    ApprovalRows(Connection connection) {
        this.connection = connection;
    }

    Optional<Approval> find(String id) throws SQLException {
        try (PreparedStatement statement = prepare("SELECT " + COLUMNS + " FROM approval WHERE id = ?", id);
             ResultSet row = statement.executeQuery()) {
            return row.next() ? Optional.of(approval(row, true)) : Optional.empty();
        }
    }

    List<Approval> pending(Optional<String> tenantId) throws SQLException {
        String sql = "SELECT " + COLUMNS + " FROM approval WHERE state = 'pending'"
                + (tenantId.isPresent() ? " AND tenant_id = ?" : "") + " ORDER BY created_at, id";
        try (PreparedStatement statement = tenantId.isPresent() ? prepare(sql, tenantId.get()) : prepare(sql);
             ResultSet row = statement.executeQuery()) {
            List<Approval> approvals = new ArrayList<>();
            while (row.next()) {
                approvals.add(approval(row, false));
            }
            return approvals;
        }
    }

    List<String> uncollectedAssignments() throws SQLException {
        try (PreparedStatement statement = prepare(
                "SELECT assignment FROM approval WHERE collected = 0 ORDER BY created_at, id");
             ResultSet row = statement.executeQuery()) {
            List<String> assignments = new ArrayList<>();
            while (row.next()) {
                assignments.add(row.getString(1));
            }
            return assignments;
        }
    }

    Optional<byte[]> tokenHash(String id, String approver) throws SQLException {
        try (PreparedStatement statement = prepare(
                "SELECT token_hash FROM approval_token WHERE approval_id = ? AND approver = ?", id, approver);
             ResultSet row = statement.executeQuery()) {
            return row.next() ? Optional.of(row.getBytes(1)) : Optional.empty();
        }
    }

    Optional<String> notifiedUrl(String id) throws SQLException {
        try (PreparedStatement statement = prepare("SELECT notified, notified_url FROM approval WHERE id = ?", id);
             ResultSet row = statement.executeQuery()) {
            if (!row.next() || row.getInt(1) != 1) {
                return Optional.empty();
            }
            String url = row.getString(2);
            return Optional.of(url == null ? "" : url);
        }
    }

    int auditCount(String id) throws SQLException {
        try (PreparedStatement statement = prepare("SELECT count(*) FROM approval_audit WHERE approval_id = ?", id);
             ResultSet row = statement.executeQuery()) {
            return row.next() ? row.getInt(1) : 0;
        }
    }

    private Approval approval(ResultSet row, boolean withAudit) throws SQLException {
        String id = row.getString("id");
        String result = row.getString("result");
        return new Approval(id, row.getString("tenant_id"), row.getString("trace_id"), row.getString("prompt"),
                strings(row.getString("approvers")), row.getInt("required_approvals"),
                OnTimeout.of(row.getString("on_timeout")), row.getLong("created_at"), row.getLong("deadline"),
                ApprovalState.parse(row.getString("state")),
                result == null ? null : Json.read(result.getBytes(StandardCharsets.UTF_8), ApprovalOutput.class),
                row.getString("reason"), votes(id), withAudit ? audit(id) : List.of(), row.getLong("audit_omitted"));
    }

    private static List<String> strings(String json) throws SQLException {
        try {
            return Json.mapper().readValue(json, STRINGS);
        } catch (IOException e) {
            throw new SQLException("approvers column is not a JSON list of strings", e);
        }
    }

    private List<Vote> votes(String id) throws SQLException {
        try (PreparedStatement statement = prepare("SELECT approver, approved, comment, decided_at FROM approval_vote"
                + " WHERE approval_id = ? ORDER BY decided_at, rowid", id);
             ResultSet row = statement.executeQuery()) {
            List<Vote> votes = new ArrayList<>();
            while (row.next()) {
                votes.add(new Vote(row.getString(1), row.getInt(2) == 1, row.getString(3), row.getLong(4)));
            }
            return votes;
        }
    }

    private List<AuditEntry> audit(String id) throws SQLException {
        try (PreparedStatement statement = prepare("SELECT at, approver, approved, accepted, outcome, detail"
                + " FROM approval_audit WHERE approval_id = ? ORDER BY seq", id);
             ResultSet row = statement.executeQuery()) {
            List<AuditEntry> entries = new ArrayList<>();
            while (row.next()) {
                int approved = row.getInt(3);
                Boolean approvedOrAbsent = row.wasNull() ? null : approved == 1;
                entries.add(new AuditEntry(row.getLong(1), row.getString(2), approvedOrAbsent, row.getInt(4) == 1,
                        row.getString(5), row.getString(6)));
            }
            return entries;
        }
    }

    private PreparedStatement prepare(String sql, Object... parameters) throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }
}
