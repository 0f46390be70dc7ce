package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code serve} over a real nats-server, driven through bin/beamline-worker (sandbox blocks). */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServeIT {
    private NatsServer nats;
    private WorkerProcess worker;
    private NatsProbe router;

    @BeforeAll
    void start() throws Exception {
        nats = NatsServer.start();
        worker = WorkerProcess.serveSandbox(nats.url(), Map.of());
        router = new NatsProbe(nats.url());
    }

    @AfterAll
    void stop() throws Exception {
        router.close();
        worker.close();
        nats.close();
    }

    @Test
    void goldenAssignmentGetsAnAckAndAResultWithTheGoldenFieldSets() throws Exception {
        ObjectNode assignment = (ObjectNode) golden("assignment-http.json");
        String id = "golden-" + System.nanoTime();
        assignment.put("assignment_id", id);

        router.publish(Json.write(assignment));

        await().atMost(Duration.ofSeconds(10)).until(() -> router.resultsFor(id).size() == 1);
        JsonNode ack = router.acksFor(id).getFirst();
        assertThat(names(ack)).isEqualTo(names(golden("ack-accepted.json")));
        assertThat(ack.get("status").asText()).isEqualTo("accepted");
        assertThat(ack.get("trace_id").asText()).isEqualTo("trace-abc");
        JsonNode result = router.resultsFor(id).getFirst();
        assertThat(names(result)).containsAll(names(golden("result-success.json"))).contains("retries_used");
        assertThat(names(result.get("result"))).containsAll(names(golden("result-success.json").get("result")));
        assertThat(result.get("status").asText()).isEqualTo("success");
        assertThat(result.get("metadata").get("block_type").asText()).isEqualTo("http.request");
        assertThat(result.get("metadata").get("provider_id").asText()).isEqualTo("openai");
        assertThat(result.get("metadata").get("run_id").asText()).isEqualTo("run-def");
        assertThat(result.get("completed_at").isIntegralNumber()).isTrue();
    }

    @Test
    void unknownBlockTypeIsRejectedAsUnsupportedBlock() {
        ObjectNode assignment = Assignments.withJob("{\"type\":\"gpu.render\"}");
        String id = assignment.get("assignment_id").asText();

        router.publish(Assignments.bytes(assignment));

        await().atMost(Duration.ofSeconds(10)).until(() -> !router.acksFor(id).isEmpty());
        JsonNode ack = router.acksFor(id).getFirst();
        assertThat(ack.get("status").asText()).isEqualTo("rejected");
        assertThat(ack.get("reason").asText()).isEqualTo("unsupported_block");
        assertThat(ack.get("error_code").intValue()).isEqualTo(1001);
        assertThat(router.resultsFor(id)).isEmpty();
    }

    @Test
    void aDuplicateAssignmentIdIsRejectedAndRunsOnce() {
        ObjectNode assignment = Assignments.fsGet("/x");
        String id = assignment.get("assignment_id").asText();

        router.publish(Assignments.bytes(assignment));
        await().atMost(Duration.ofSeconds(10)).until(() -> router.resultsFor(id).size() == 1);
        router.publish(Assignments.bytes(assignment));

        await().atMost(Duration.ofSeconds(10)).until(() -> router.acksFor(id).size() == 2);
        assertThat(router.acksFor(id).get(1).get("reason").asText()).isEqualTo("duplicate");
        assertThat(router.resultsFor(id)).hasSize(1);
    }

    @Test
    void thousandsOfHostileMessagesNeverStopTheWorkerAndEachGetsAnAnswer() throws Exception {
        // given: a corpus of hostile messages, each with or without a readable assignment_id
        List<byte[]> hostile = new ArrayList<>();
        Set<String> answerableIds = new HashSet<>();
        Set<String> idlessRequests = new HashSet<>();
        Random random = new Random(42);
        int unreadable = 0;
        for (int i = 0; i < 3000; i++) {
            HostileMessage message = hostileMessage(i, random);
            hostile.add(message.payload());
            if (message.id() != null) {
                answerableIds.add(message.id());
            } else if (message.idlessRequest() != null) {
                idlessRequests.add(message.idlessRequest());
            } else {
                unreadable++;
            }
        }
        int deadLettersBefore = router.deadLetters.size();

        // when: they are all sent, then one valid assignment
        for (byte[] payload : hostile) {
            router.publish(payload);
        }
        ObjectNode valid = Assignments.fsGet("/after-the-storm");
        String validId = valid.get("assignment_id").asText();
        router.publish(Assignments.bytes(valid));
        router.flush();

        // then: the valid one succeeds, every answerable one is rejected (those without an
        // assignment_id by request_id), the rest are dead letters
        await().atMost(Duration.ofSeconds(60)).until(() -> router.resultsFor(validId).size() == 1);
        assertThat(router.resultsFor(validId).getFirst().get("status").asText()).isEqualTo("success");
        int expectedUnreadable = unreadable;
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Set<String> rejected = new HashSet<>();
            router.acks.stream().filter(a -> a.path("status").asText().equals("rejected"))
                    .forEach(a -> rejected.add(a.path("assignment_id").asText()));
            assertThat(rejected).containsAll(answerableIds);
            Set<String> rejectedWithoutId = new HashSet<>();
            router.acks.stream().filter(a -> !a.has("assignment_id"))
                    .filter(a -> a.path("reason").asText().equals("missing_required_field") && a.path("error_code").asInt() == 1002)
                    .forEach(a -> rejectedWithoutId.add(a.path("request_id").asText()));
            assertThat(rejectedWithoutId).containsAll(idlessRequests);
            long unreadableLetters = router.deadLetters.stream().skip(deadLettersBefore)
                    .filter(d -> d.path("reason").asText().equals("unreadable")).count();
            assertThat(unreadableLetters).isEqualTo(expectedUnreadable);
        });
        assertThat(answerableIds.stream().allMatch(id -> router.resultsFor(id).isEmpty())).isTrue();
        assertThat(worker.process().isAlive()).isTrue();
        assertThat(worker.get("/_health").status()).isEqualTo(200);
    }

    /**
     * A hostile message and the assignment id a worker can read from it (null when none), or, for
     * an assignment without its id, the request id its rejection carries.
     */
    record HostileMessage(byte[] payload, String id, String idlessRequest) {
        HostileMessage(byte[] payload, String id) {
            this(payload, id, null);
        }
    }

    private static HostileMessage hostileMessage(int i, Random random) {
        String id = "hostile-" + i + "-" + System.nanoTime();
        ObjectNode base = Assignments.fsGet("/h");
        base.put("assignment_id", id);
        return switch (i % 12) {
            case 0 -> new HostileMessage(("not json " + i).getBytes(StandardCharsets.UTF_8), null);
            case 1 -> new HostileMessage("[1,2,3]".getBytes(StandardCharsets.UTF_8), null);
            case 2 -> {
                byte[] garbage = new byte[i % 120 == 2 ? 900 * 1024 : 2048];  // some as large as the server accepts
                random.nextBytes(garbage);
                yield new HostileMessage(garbage, null);
            }
            case 3 -> {
                base.remove("assignment_id");
                yield new HostileMessage(Assignments.bytes(base), null, base.get("request_id").asText());
            }
            case 4 -> new HostileMessage(Assignments.bytes(base.put("version", "2")), id);
            case 5 -> new HostileMessage(Assignments.bytes(base.put("tenant_id", 5)), id);
            case 6 -> {
                base.remove(List.of("version", "request_id", "tenant_id", "executor", "job").get(i % 5));
                yield new HostileMessage(Assignments.bytes(base), id);
            }
            case 7 -> {
                ((ObjectNode) base.get("job")).put("type", "rm.rf");
                yield new HostileMessage(Assignments.bytes(base), id);
            }
            case 8 -> new HostileMessage(Assignments.bytes(base.put("priority", "urgent")), id);
            case 9 -> {
                ((ObjectNode) base.get("job")).remove("type");
                yield new HostileMessage(Assignments.bytes(base), id);
            }
            case 10 -> new HostileMessage(("{\"assignment_id\":\"" + id + "\",\"job\":" + "[".repeat(5000)).getBytes(StandardCharsets.UTF_8), null);
            default -> new HostileMessage(Assignments.bytes(base.put("tenant_id", "../../etc")), id);
        };
    }

    static Set<String> names(JsonNode node) {
        Set<String> names = new HashSet<>();
        Iterator<String> it = node.fieldNames();
        it.forEachRemaining(names::add);
        return names;
    }

    static JsonNode golden(String file) throws Exception {
        try (InputStream in = ServeIT.class.getResourceAsStream("/contract/" + file)) {
            return Json.mapper().readTree(in);
        }
    }
}
