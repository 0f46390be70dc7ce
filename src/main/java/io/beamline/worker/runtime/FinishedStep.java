package io.beamline.worker.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.StepStatus;

/**
 * What a worker remembers of a finished step, for duplicate detection and status queries: a
 * few fields instead of the whole result. A worker remembers 100,000 of them; whole results
 * (output, metadata, boxed numbers, ids) kept about 700 bytes per step alive and made every
 * young collection copy them, tens of milliseconds per pause at full load.
 *
 * @param errorCode the error's numeric code, or {@code null} on success
 * @param sequence  the place in its stream of the message the step answered (JetStream), -1 when none:
 *                  a later delivery of that same message is a redelivery, any other message a duplicate
 */
public record FinishedStep(
        @JsonIgnore String tenantId,
        @JsonIgnore String blockType,
        @JsonProperty("status") StepStatus status,
        @JsonProperty("error_code") Integer errorCode,
        @JsonProperty("retries_used") int retriesUsed,
        @JsonProperty("latency_ms") long latencyMs,
        @JsonProperty("completed_at") long completedAt,
        @JsonIgnore long sequence) {

    static FinishedStep of(ExecResult result, long sequence) {
        ErrorCode code = result.error() == null ? null : result.error().code();
        return new FinishedStep(result.tenantId(), result.metadata() == null ? null : result.metadata().blockType(),
                result.status(), code == null ? null : code.code(),
                result.retriesUsed() == null ? 0 : result.retriesUsed(),
                result.latencyMs() == null ? 0 : result.latencyMs(),
                result.completedAt() == null ? 0 : result.completedAt(), sequence);
    }
}
