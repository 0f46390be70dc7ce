package io.beamline.worker.observability;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.NatsProbe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Traffic that makes a real worker produce every kind of outcome once, through the real
 * {@code http.request} block against a {@link FaultServer} serving {@code /ok}, {@code /missing}
 * (404), {@code /broken} (500), {@code /slow} and {@code /hang} (never answers): a success (with
 * run, flow and step ids), two errors, a timeout, a cancel, a rejection ({@code unsupported_block})
 * and an unreadable message. Returns once the Router stand-in has seen every answer. Immutable.
 */
record TrafficScenario(NatsProbe router, String successId, List<String> resultIds, List<String> everyIdSent) {

    static TrafficScenario run(NatsProbe router, FaultServer destination, String tenant) throws Exception {
        List<String> sentIds = new ArrayList<>();
        ObjectNode success = http(destination.url("/ok"), 5000, tenant, sentIds);
        success.put("run_id", "run-" + UUID.randomUUID()).put("flow_id", "flow-" + UUID.randomUUID())
                .put("step_id", "step-" + UUID.randomUUID());
        sentIds.addAll(List.of(success.get("run_id").asText(), success.get("flow_id").asText(), success.get("step_id").asText()));
        List<ObjectNode> accepted = List.of(success,
                http(destination.url("/missing"), 5000, tenant, sentIds),
                http(destination.url("/broken"), 5000, tenant, sentIds),
                http(destination.url("/slow"), 300, tenant, sentIds),
                http(destination.url("/hang"), 60_000, tenant, sentIds));
        ObjectNode unsupported = Assignments.withJob("{\"type\":\"gpu.render\"}").put("tenant_id", tenant);
        sentIds.add(unsupported.get("assignment_id").asText());

        accepted.forEach(assignment -> router.publish(Assignments.bytes(assignment)));
        router.publish(Assignments.bytes(unsupported));
        router.publish("this is not JSON".getBytes(StandardCharsets.UTF_8));
        router.flush();
        cancelOnceRunning(router, destination, accepted.getLast(), tenant);

        List<String> resultIds = accepted.stream().map(a -> a.get("assignment_id").asText()).toList();
        await().atMost(Duration.ofSeconds(60)).until(() -> resultIds.stream().allMatch(id -> router.resultsFor(id).size() == 1)
                && router.acksFor(unsupported.get("assignment_id").asText()).size() == 1
                && router.deadLetters.size() >= 4);  // unsupported, unreadable, 404, timeout (a cancel is not dead-lettered)
        return new TrafficScenario(router, resultIds.getFirst(), resultIds, List.copyOf(sentIds));
    }

    /** One successful step, for a worker that only needs its families to exist. */
    static void runOneSuccess(NatsProbe router, FaultServer destination, String tenant) {
        ObjectNode success = http(destination.url("/ok"), 5000, tenant, new ArrayList<>());
        String id = success.get("assignment_id").asText();
        router.publish(Assignments.bytes(success));
        await().atMost(Duration.ofSeconds(30)).until(() -> router.resultsFor(id).size() == 1);
    }

    /** The final status of each accepted assignment, in the order sent. */
    List<String> statuses() {
        return resultIds.stream().map(id -> router.resultsFor(id).getFirst().path("status").asText()).toList();
    }

    private static void cancelOnceRunning(NatsProbe router, FaultServer destination, ObjectNode hanging, String tenant) {
        await().atMost(Duration.ofSeconds(30)).until(() -> !destination.requests("/hang").isEmpty());
        String id = hanging.get("assignment_id").asText();
        JsonNode cancel = Json.mapper().valueToTree(Map.of("assignment_id", id, "tenant_id", tenant, "reason", "metrics test"));
        router.connection().publish(Subjects.CANCEL, Json.write(cancel));
    }

    private static ObjectNode http(String url, long timeoutMs, String tenant, List<String> sentIds) {
        ObjectNode assignment = Assignments.withJob("{\"type\":\"http.request\",\"method\":\"GET\",\"url\":\"" + url
                + "\",\"timeout_ms\":" + timeoutMs + "}").put("tenant_id", tenant);
        sentIds.addAll(List.of(assignment.get("assignment_id").asText(), assignment.get("request_id").asText(),
                assignment.get("trace_id").asText()));
        return assignment;
    }
}
