package io.beamline.worker.support;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/** Builds assignment messages for tests: a valid base that each test bends as it needs. */
public final class Assignments {
    private Assignments() {
    }

    /** A valid assignment with a unique id and the given job (as JSON text). */
    public static ObjectNode withJob(String jobJson) {
        ObjectNode assignment = Json.mapper().createObjectNode();
        assignment.put("version", "1");
        assignment.put("assignment_id", "as-" + UUID.randomUUID());
        assignment.put("request_id", "req-" + UUID.randomUUID());
        assignment.put("tenant_id", "tenant-test");
        assignment.put("trace_id", "trace-" + UUID.randomUUID().toString().substring(0, 8));
        assignment.putObject("executor").put("provider_id", "test-provider");
        try {
            assignment.set("job", Json.mapper().readTree(jobJson));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("bad job JSON in test: " + jobJson, e);
        }
        return assignment;
    }

    public static ObjectNode httpGet(String url) {
        return withJob("{\"type\":\"http.request\",\"method\":\"GET\",\"url\":\"" + url + "\",\"timeout_ms\":5000}");
    }

    public static ObjectNode fsGet(String path) {
        return withJob("{\"type\":\"fs.get\",\"path\":\"" + path + "\"}");
    }

    public static byte[] bytes(ObjectNode assignment) {
        return Json.write(assignment);
    }

    /**
     * Publishes {@code count} assignments made by {@code make} through JetStream, as a Router
     * does, and waits for every PubAck: when it returns they are stored. Returns their ids in order.
     */
    public static List<String> publishStored(Connection router, int count, IntFunction<ObjectNode> make) throws Exception {
        JetStream js = router.jetStream();
        List<String> ids = new ArrayList<>();
        List<CompletableFuture<?>> acks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ObjectNode assignment = make.apply(i);
            ids.add(assignment.get("assignment_id").asText());
            acks.add(js.publishAsync(Subjects.ASSIGN, bytes(assignment)));
            if (acks.size() >= 1000) {  // bounded outstanding PubAcks
                CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
                acks.clear();
            }
        }
        CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get();
        return ids;
    }
}
