package io.beamline.worker;

import io.beamline.worker.block.human.ApprovalNotifier;
import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.runtime.OutcomeSink;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Clock;

/**
 * What a worker needs from the process that runs it: where outcomes and approval notices go,
 * the health registry, time, tracing, the message-size limit its transport imposes on dead
 * letters, and the URL under which its HTTP server is reachable (for approval links).
 */
public record WorkerServices(
        OutcomeSink sink,
        ApprovalNotifier approvalNotifier,
        HealthChecks health,
        Clock clock,
        OpenTelemetry openTelemetry,
        int maxDeadLetterPayload,
        String publicUrl) {

    /** Services for a worker with no transport limits and no tracing, reachable at {@code publicUrl}. */
    public static WorkerServices of(OutcomeSink sink, ApprovalNotifier notifier, String publicUrl) {
        return new WorkerServices(sink, notifier, new HealthChecks(), Clock.systemUTC(), OpenTelemetry.noop(),
                256 * 1024, publicUrl);
    }
}
