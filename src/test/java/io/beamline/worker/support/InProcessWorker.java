package io.beamline.worker.support;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.Blocks;
import io.beamline.worker.Worker;
import io.beamline.worker.WorkerServices;
import io.beamline.worker.block.human.ApprovalRequested;
import io.opentelemetry.api.OpenTelemetry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import io.beamline.worker.config.WorkerConfig;
import io.beamline.worker.contract.CancelRequest;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.observability.HealthChecks;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * A whole worker in the test's JVM with its real blocks (or the sandbox), recording everything
 * it publishes: for integration tests that need real HTTP servers, files and databases but no
 * broker. Not thread-safe for configuration; submit from any thread.
 */
public final class InProcessWorker implements AutoCloseable {
    public final RecordingSink sink = new RecordingSink();
    public final List<ApprovalRequested> approvalNotices = new CopyOnWriteArrayList<>();
    private final Worker worker;

    public InProcessWorker(Map<String, String> env, String... args) {
        this(OpenTelemetry.noop(), env, args);
    }

    /** A worker whose spans go to {@code openTelemetry} (an SDK with an in-memory exporter in tests). */
    public InProcessWorker(OpenTelemetry openTelemetry, Map<String, String> env, String... args) {
        WorkerConfig config = TestConfigs.of(env, args);
        this.worker = Worker.create(config, services(openTelemetry));
    }

    private WorkerServices services(OpenTelemetry openTelemetry) {
        return new WorkerServices(sink, approvalNotices::add, new HealthChecks(), Clock.systemUTC(), openTelemetry,
                256 * 1024, "http://localhost:9");
    }

    /** A worker around the given blocks (runtime tests that need steps to wait on a gate). */
    public InProcessWorker(io.beamline.worker.block.BlockRegistry blocks, Map<String, String> env, String... args) {
        WorkerConfig config = TestConfigs.of(env, args);
        this.worker = Worker.create(config, Blocks.of(blocks), services(OpenTelemetry.noop()));
    }

    public Worker worker() {
        return worker;
    }

    /** Submits an assignment as the transport would; returns its id. */
    public String submit(ObjectNode assignment) {
        worker.coordinator().onMessage(Json.write(assignment));
        return assignment.get("assignment_id").asText();
    }

    public void cancel(String assignmentId, String tenantId) {
        worker.coordinator().onCancelMessage(Json.write(new CancelRequest(assignmentId, tenantId, "test")));
    }

    public ExecResult awaitResult(String assignmentId, Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(5)).until(() -> sink.resultFor(assignmentId).isPresent());
        return sink.resultFor(assignmentId).orElseThrow();
    }

    @Override
    public void close() {
        worker.close();
    }
}
