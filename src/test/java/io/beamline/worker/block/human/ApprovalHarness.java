package io.beamline.worker.block.human;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.Json;
import io.beamline.worker.observability.HttpSurface;
import io.beamline.worker.support.Assignments;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One worker's approval machinery on a real data dir: SQLite store, service, recording
 * notifier and the real JDK HTTP server with the approval handler mounted on loopback.
 * {@link #close} then a new harness on the same dir is a worker restart.
 */
final class ApprovalHarness implements AutoCloseable {
    final Path dataDir;
    final RecordingNotifier notifier;
    final ApprovalStore store;
    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final ApprovalService service;
    final HttpSurface http;
    final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private ApprovalHarness(Path dataDir, RecordingNotifier notifier, Clock clock, int port) throws IOException {
        this.dataDir = dataDir;
        this.notifier = notifier;
        this.store = ApprovalStore.open(dataDir);
        this.http = new HttpSurface(new InetSocketAddress("127.0.0.1", port));
        this.service = ApprovalService.create(store, notifier, clock,
                ApprovalConfig.defaults("http://127.0.0.1:" + http.address().getPort()), scheduler);
        http.mount(ApprovalHttpHandler.PREFIX, new ApprovalHttpHandler(service));
        http.start();
    }

    static ApprovalHarness start(Path dataDir) throws IOException {
        return new ApprovalHarness(dataDir, new RecordingNotifier(), Clock.systemUTC(), 0);
    }

    /**
     * A new worker process on the same data dir and port (so at the same public URL), sharing
     * the notifier's record of what was sent.
     */
    ApprovalHarness restart() throws IOException {
        return restart(Clock.systemUTC());
    }

    /** A restart whose clock reads {@code clock}, e.g. weeks later. */
    ApprovalHarness restart(Clock clock) throws IOException {
        int port = http.address().getPort();
        close();
        return new ApprovalHarness(dataDir, notifier, clock, port);
    }

    /** A restart on another port, so at another public URL (as a worker that took another's store). */
    ApprovalHarness restartElsewhere() throws IOException {
        close();
        return new ApprovalHarness(dataDir, notifier, Clock.systemUTC(), 0);
    }

    static ExecAssignment assignment(String tenantId, String jobJson) {
        var node = Assignments.withJob(jobJson);
        node.put("tenant_id", tenantId);
        if (new AssignmentDecoder().decode(Assignments.bytes(node)) instanceof Decoded.Valid valid) {
            return valid.assignment();
        }
        throw new AssertionError("test assignment does not decode: " + jobJson);
    }

    /** An approval job asking {@code approvers} (JSON array text) with extra job fields. */
    static ExecAssignment approval(String approversJson, String extraFields) {
        return assignment("tenant-a", "{\"type\":\"human.approval\",\"prompt\":\"Ship release 4.2?\","
                + "\"approvers\":" + approversJson + (extraFields.isEmpty() ? "" : "," + extraFields) + "}");
    }

    /** An approval asking ann, under the assignment id {@code id}. */
    static ExecAssignment approvalWithId(String id) {
        var node = Assignments.withJob("{\"type\":\"human.approval\",\"prompt\":\"Odd id\",\"approvers\":[\"ann\"]}");
        node.put("tenant_id", "tenant-a").put("assignment_id", id);
        if (new AssignmentDecoder().decode(Assignments.bytes(node)) instanceof Decoded.Valid valid) {
            return valid.assignment();
        }
        throw new AssertionError("test assignment does not decode with id " + id);
    }

    static HumanApprovalJob job(ExecAssignment assignment) {
        return (HumanApprovalJob) assignment.job();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + http.address().getPort();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(baseUrl() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(baseUrl() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts a decision with the token {@code approver} received. */
    HttpResponse<String> decide(String id, String approver, boolean approved, String comment)
            throws IOException, InterruptedException {
        return post(decisionPath(id), decisionBody(approver, notifier.token(id, approver), approved, comment));
    }

    static String decisionPath(String id) {
        return "/approvals/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20") + "/decision";
    }

    static String decisionBody(String approver, String token, boolean approved, String comment) {
        var body = Json.mapper().createObjectNode().put("approver", approver).put("token", token)
                .put("approved", approved).put("comment", comment);
        return Json.writeString(body);
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return Json.readTree(response.body().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Override
    public void close() {
        http.close();
        service.close();
        scheduler.shutdownNow();
        store.close();
    }
}
