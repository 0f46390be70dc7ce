package io.beamline.worker.block.human;

import io.beamline.worker.contract.ApprovalOutput;
import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Durable home of approvals: one SQLite file per worker process using the data dir at the same
 * time, {@code <data-dir>/_approvals/approvals.sqlite} for the first, {@code approvals-1.sqlite}
 * and on for others (tenant ids never start with {@code _}, so it cannot collide with a tenant's
 * directory). A worker takes the lowest slot nobody holds, by an OS lock on the slot's
 * {@code .lock} file that lasts as long as the process; so workers started side by side from one
 * directory (the default {@code ./data}) each get a store, and a restarted worker takes its slot
 * back and resumes the approvals pending in it.
 *
 * <p>Design: one connection, WAL journal with {@code synchronous=FULL} (a committed decision
 * survives a power cut) and exclusive locking mode (nothing but the slot's holder opens the
 * file). All access holds one reentrant lock;
 * {@link #transaction} makes a compound read-check-write atomic, which is what keeps decisions
 * and expiry race-free. Methods that throw {@code SQLException} are the steps of such a
 * transaction and are only called inside one; the others stand alone or join an enclosing one.
 * A {@code ReentrantLock} rather than {@code synchronized} so that callers on virtual threads
 * never pin their carrier while SQLite syncs. Reads live in {@link ApprovalRows}. Thread-safe.
 */
public final class ApprovalStore implements AutoCloseable {
    /** Audit entries kept per approval; refused attempts beyond it are only counted. */
    public static final int MAX_AUDIT_ENTRIES = 1000;
    private static final int SCHEMA_VERSION = 2;

    /** How many workers may use one data dir at the same time. */
    static final int MAX_SLOTS = 64;

    private final Path file;
    private final Connection connection;
    private final FileLock slot;
    private final ReentrantLock lock = new ReentrantLock();
    private final ApprovalRows rows;

    private ApprovalStore(Path file, Connection connection, FileLock slot) {
        this.file = file;
        this.connection = connection;
        this.slot = slot;
        this.rows = new ApprovalRows(connection);
    }

    /** Opens (creating when needed) the store of the first free slot under {@code dataDir}. */
    public static ApprovalStore open(Path dataDir) {
        Path directory = dataDir.resolve("_approvals");
        try {
            Files.createDirectories(directory);
            for (int n = 0; n < MAX_SLOTS; n++) {
                String name = n == 0 ? "approvals" : "approvals-" + n;
                FileLock slot = tryLock(directory.resolve(name + ".lock"));
                if (slot != null) {
                    return open(directory.resolve(name + ".sqlite"), slot);
                }
            }
        } catch (IOException e) {
            throw new ApprovalStoreException("cannot open an approval store under " + directory + ": " + e.getMessage(), e);
        }
        throw new ApprovalStoreException("all " + MAX_SLOTS + " approval stores under " + directory
                + " are held by running workers; give this one its own --data-dir");
    }

    /** The slot's lock, or null when another process (or this one) holds it. */
    private static FileLock tryLock(Path lockFile) throws IOException {
        FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock slot = channel.tryLock();
            if (slot != null) {
                return slot;
            }
        } catch (OverlappingFileLockException heldHere) {
            // another store of this process holds it
        }
        channel.close();
        return null;
    }

    private static ApprovalStore open(Path file, FileLock slot) throws IOException {
        try {
            Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement statement = connection.createStatement()) {
                statement.execute("PRAGMA busy_timeout = 2000");
                statement.execute("PRAGMA locking_mode = EXCLUSIVE");
                statement.execute("PRAGMA journal_mode = WAL");
                statement.execute("PRAGMA synchronous = FULL");
                statement.execute("PRAGMA foreign_keys = ON");
                ApprovalSchema.migrate(statement, SCHEMA_VERSION);
            } catch (SQLException e) {
                connection.close();
                throw e;
            }
            return new ApprovalStore(file, connection, slot);
        } catch (SQLException e) {
            slot.channel().close();
            throw new ApprovalStoreException("cannot open the approval store " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Work done by {@link #transaction}; may call any method of this store. */
    @FunctionalInterface
    interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} atomically: all of it is committed, or none of it. Called inside another
     * transaction, it joins that one.
     */
    <T> T transaction(Work<T> work) {
        lock.lock();
        try {
            if (lock.getHoldCount() > 1) {
                return work.run();
            }
            connection.setAutoCommit(false);
            try {
                T result = work.run();
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new ApprovalStoreException("approval store " + file + ": " + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    Optional<Approval> find(String id) {
        return transaction(() -> rows.find(id));
    }

    /** Pending approvals, oldest first, without their audit trails; all tenants when empty. */
    List<Approval> pending(Optional<String> tenantId) {
        return transaction(() -> rows.pending(tenantId));
    }

    /** Assignments (JSON) whose approval is pending or whose outcome no step has collected yet. */
    List<String> uncollectedAssignments() {
        return transaction(rows::uncollectedAssignments);
    }

    Optional<byte[]> tokenHash(String id, String approver) throws SQLException {
        return rows.tokenHash(id, approver);
    }

    /**
     * The base URL of the links the approvers of {@code id} were notified with; empty when they
     * were not notified yet, {@code ""} when they were by a worker that did not record it.
     */
    Optional<String> notifiedUrl(String id) throws SQLException {
        return rows.notifiedUrl(id);
    }

    void insert(Approval approval, String assignmentJson) throws SQLException {
        update("INSERT INTO approval (id, tenant_id, trace_id, prompt, approvers, required_approvals, on_timeout,"
                        + " created_at, deadline, state, assignment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                approval.id(), approval.tenantId(), approval.traceId(), approval.prompt(),
                Json.writeString(approval.approvers()), approval.requiredApprovals(), approval.onTimeout().wireName(),
                approval.createdAt(), approval.deadline(), approval.state().wireName(), assignmentJson);
    }

    /** Replaces every approver's token hash (new links make the old ones useless). */
    void replaceTokens(String id, Map<String, byte[]> hashes) throws SQLException {
        update("DELETE FROM approval_token WHERE approval_id = ?", id);
        for (Map.Entry<String, byte[]> entry : hashes.entrySet()) {
            update("INSERT INTO approval_token (approval_id, approver, token_hash) VALUES (?, ?, ?)",
                    id, entry.getKey(), entry.getValue());
        }
    }

    void addVote(String id, Vote vote) throws SQLException {
        update("INSERT INTO approval_vote (approval_id, approver, approved, comment, decided_at) VALUES (?, ?, ?, ?, ?)",
                id, vote.approver(), vote.approved() ? 1 : 0, vote.comment(), vote.decidedAt());
    }

    /** Appends to the audit trail; a refused attempt past the cap is only counted. */
    void audit(String id, AuditEntry entry) throws SQLException {
        if (!entry.accepted() && rows.auditCount(id) >= MAX_AUDIT_ENTRIES) {
            update("UPDATE approval SET audit_omitted = audit_omitted + 1 WHERE id = ?", id);
            return;
        }
        update("INSERT INTO approval_audit (approval_id, at, approver, approved, accepted, outcome, detail)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?)", id, entry.at(), entry.approver(),
                entry.approved() == null ? null : entry.approved() ? 1 : 0, entry.accepted() ? 1 : 0,
                entry.outcome(), entry.detail());
    }

    /** Moves a pending approval to a final state; false when it was no longer pending. */
    boolean finish(String id, ApprovalState state, Optional<ApprovalOutput> result, Optional<String> reason,
                   long at) throws SQLException {
        return update("UPDATE approval SET state = ?, result = ?, reason = ?, finished_at = ?"
                        + " WHERE id = ? AND state = 'pending'", state.wireName(),
                result.map(Json::writeString).orElse(null), reason.orElse(null), at, id) == 1;
    }

    /** Records that the approvers of {@code id} were sent links starting with {@code publicUrl}. */
    void markNotified(String id, String publicUrl) {
        transaction(() -> update("UPDATE approval SET notified = 1, notified_url = ? WHERE id = ?", publicUrl, id));
    }

    /** Records that the step's result with this final outcome is out, so a restart does not resume it again. */
    void markCollected(String id, String tenantId) {
        transaction(() -> update("UPDATE approval SET collected = 1 WHERE id = ? AND tenant_id = ? AND state <> 'pending'",
                id, tenantId));
    }

    /** Deletes collected final approvals that finished before {@code cutoff}; returns how many. */
    int purgeFinishedBefore(long cutoff) {
        return transaction(() -> update(
                "DELETE FROM approval WHERE state <> 'pending' AND collected = 1 AND finished_at < ?", cutoff));
    }

    private int update(String sql, Object... parameters) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            return statement.executeUpdate();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            connection.close();
        } catch (SQLException e) {
            throw new ApprovalStoreException("cannot close the approval store " + file, e);
        } finally {
            try {
                slot.channel().close();  // the slot is free for the next worker
            } catch (IOException e) {
                // the process's exit releases it anyway
            }
            lock.unlock();
        }
    }
}
