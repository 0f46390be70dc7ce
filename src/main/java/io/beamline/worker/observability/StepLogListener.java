package io.beamline.worker.observability;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Rejection;
import io.beamline.worker.runtime.StepListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Writes the step log lines of {@code contract/log-line.json}: {@code fields} carries
 * {@code assignment_id}, {@code block_type}, {@code status} and {@code latency_ms};
 * {@code trace_id} and {@code tenant_id} go to the top level through the MDC.
 */
public final class StepLogListener implements StepListener {
    private static final Logger log = LoggerFactory.getLogger("worker");

    @Override
    public void completed(ExecAssignment assignment, ExecResult result, String traceId) {
        if (result.error() == null ? !log.isInfoEnabled() : !log.isWarnEnabled()) {
            return;  // at high rates operators turn step lines off; then they cost nothing
        }
        // the wire trace_id, as in the ack and the result the Router correlates by
        withIds(assignment.traceId(), assignment.tenantId(), () -> {
            if (result.error() == null) {
                log.info("Step execution completed", kv("assignment_id", assignment.assignmentId()),
                        kv("block_type", assignment.job().blockType()), kv("status", result.status().wireName()),
                        kv("latency_ms", result.latencyMs()));
            } else {
                log.warn("Step execution completed", kv("assignment_id", assignment.assignmentId()),
                        kv("block_type", assignment.job().blockType()), kv("status", result.status().wireName()),
                        kv("latency_ms", result.latencyMs()), kv("error_code", result.error().code().code()),
                        kv("error_message", result.error().message()));
            }
        });
    }

    @Override
    public void rejected(Rejection rejection) {
        withIds(rejection.traceId(), rejection.tenantId(), () -> log.warn("Assignment rejected",
                kv("assignment_id", rejection.assignmentId()), kv("reason", rejection.reason().wireName()),
                kv("error_code", rejection.reason().errorCode().code()), kv("detail", rejection.message())));
    }

    @Override
    public void deadLettered(DeadLetter letter) {
        withIds(letter.traceId(), letter.tenantId(), () -> log.warn("Dead letter published",
                kv("assignment_id", letter.assignmentId()), kv("reason", letter.reason()),
                kv("error_code", letter.error().code().code()), kv("detail", letter.error().message())));
    }

    private static void withIds(String traceId, String tenantId, Runnable logging) {
        if (traceId != null) {
            MDC.put("trace_id", traceId);
        }
        if (tenantId != null) {
            MDC.put("tenant_id", tenantId);
        }
        try {
            logging.run();
        } finally {
            MDC.remove("trace_id");
            MDC.remove("tenant_id");
        }
    }
}
