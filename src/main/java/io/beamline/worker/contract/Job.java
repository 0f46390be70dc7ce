package io.beamline.worker.contract;

import java.util.Map;
import java.util.Optional;

/**
 * The block-specific part of an assignment ({@code job}), one record per block type. The
 * {@code type} component keeps the name the Router sent (aliases included);
 * {@link #blockType()} is the canonical name used to pick a block, label metrics and fill
 * {@code metadata.block_type}.
 */
public sealed interface Job
        permits HttpRequestJob, FsPutJob, FsGetJob, FsDeleteJob, SqlQueryJob, HumanApprovalJob {

    String HTTP_REQUEST = "http.request";
    String FS_PUT = "fs.put";
    String FS_GET = "fs.get";
    String FS_DELETE = "fs.delete";
    String SQL_QUERY = "sql.query";
    String HUMAN_APPROVAL = "human.approval";

    /** Wire names, aliases included, to canonical block types. */
    Map<String, String> TYPE_NAMES = Map.of(
            HTTP_REQUEST, HTTP_REQUEST,
            FS_PUT, FS_PUT,
            FS_GET, FS_GET,
            FS_DELETE, FS_DELETE,
            "fs.blob_put", FS_PUT,
            "fs.blob_get", FS_GET,
            "fs.blob_delete", FS_DELETE,
            SQL_QUERY, SQL_QUERY,
            HUMAN_APPROVAL, HUMAN_APPROVAL);

    /** The type exactly as sent. */
    String type();

    /** The step's total budget in milliseconds ({@code job.timeout_ms}), or null when not given. */
    Long timeoutMs();

    /** The canonical block type: one per record (aliases map to the same record), so a constant. */
    String blockType();

    default Optional<Long> timeout() {
        return Optional.ofNullable(timeoutMs());
    }

    /** The pool a step of this type runs in when the assignment names none. */
    default ResourcePool defaultPool() {
        return ResourcePool.IO;
    }

    static Optional<String> canonicalType(String wireType) {
        return Optional.ofNullable(TYPE_NAMES.get(wireType));
    }
}
