package io.beamline.worker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.DelayingProxy;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.OutcomeStream;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §7 through real processes: {@code serve --transport jetstream} against {@code nats-server -js}
 * with file storage. Nothing accepted may be lost, and no assignment may end with two results.
 */
class JetStreamIT {
    private static final String OUTCOMES = "CAF_OUTCOMES";

    private static WorkerProcess worker(NatsServer nats, Path data, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("--transport", "jetstream", "--data-dir", data.toString()));
        if (!List.of(extra).contains("--js-max-deliver")) {
            args.addAll(List.of("--js-ack-wait-ms", "10000", "--js-max-deliver", "20"));
        }
        args.addAll(List.of(extra));
        return WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_SANDBOX_MODE", "false", "WORKER_LOG_LEVEL", "WARN"),
                args.toArray(String[]::new));
    }

    /** Publishes through JetStream and waits for every PubAck: the assignments are stored. */
    private static List<String> publishStored(NatsProbe router, int count, java.util.function.IntFunction<ObjectNode> make)
            throws Exception {
        return Assignments.publishStored(router.connection(), count, make);
    }

    private static ObjectNode put(int i) {
        ObjectNode assignment = Assignments.withJob("{\"type\":\"fs.put\",\"path\":\"/kill/" + i + ".txt\",\"content\":\"value-" + i + "\"}");
        assignment.put("assignment_id", "js-" + i + "-" + System.nanoTime());
        return assignment;
    }

    @Test
    void assignmentsAreAnsweredAndStoredOnceWithMessageIds(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             WorkerProcess worker = worker(nats, data);
             NatsProbe router = new NatsProbe(nats.url())) {
            List<String> ids = publishStored(router, 200, JetStreamIT::put);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).hasSize(ids.size()));
            assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES).values()).allMatch(n -> n == 1);
            assertThat(router.acks).hasSizeGreaterThanOrEqualTo(ids.size());
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    router.connection().jetStreamManagement().getStreamInfo("CAF_ASSIGNMENTS").getStreamState().getMsgCount() == 0);
        }
    }

    @Test
    void theSameAssignmentPublishedAgainAfterItFinishedIsRejectedAsADuplicate(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             WorkerProcess worker = worker(nats, data);
             NatsProbe router = new NatsProbe(nats.url())) {
            ObjectNode assignment = put(0);
            String id = assignment.get("assignment_id").asText();
            publishStored(router, 1, i -> assignment);
            await().atMost(Duration.ofSeconds(30)).until(() -> router.resultsFor(id).size() == 1);

            publishStored(router, 1, i -> assignment);  // a new stream message, delivered once

            await().atMost(Duration.ofSeconds(30)).until(() -> router.acksFor(id).size() == 2);
            assertThat(router.acksFor(id).get(1).path("status").asText()).isEqualTo("rejected");
            assertThat(router.acksFor(id).get(1).path("reason").asText()).isEqualTo("duplicate");
            assertThat(router.resultsFor(id)).hasSize(1);
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    router.connection().jetStreamManagement().getStreamInfo("CAF_ASSIGNMENTS").getStreamState().getMsgCount() == 0);
        }
    }

    @Test
    void aFinishedAssignmentPublishedAgainIsADuplicateAlsoForAWorkerThatNeverSawIt(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             NatsProbe router = new NatsProbe(nats.url())) {
            ObjectNode assignment = put(0);
            String id = assignment.get("assignment_id").asText();
            try (WorkerProcess first = worker(nats, data.resolve("first"))) {
                publishStored(router, 1, i -> assignment);
                await().atMost(Duration.ofSeconds(30)).until(() -> router.resultsFor(id).size() == 1);
                // acknowledged (the work queue lets go of it) before the kill: else the server
                // delivers it again after the AckWait, and the record's result goes out again
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        router.connection().jetStreamManagement().getStreamInfo("CAF_ASSIGNMENTS").getStreamState().getMsgCount() == 0);
            }
            Files.delete(data.resolve("first/tenant-test/kill/0.txt"));

            try (WorkerProcess second = worker(nats, data.resolve("second"))) {
                publishStored(router, 1, i -> assignment);  // a new stream message; this worker remembers nothing

                await().atMost(Duration.ofSeconds(30)).until(() -> router.acksFor(id).size() == 2);
                assertThat(router.acksFor(id).get(1).path("status").asText()).isEqualTo("rejected");
                assertThat(router.acksFor(id).get(1).path("reason").asText()).isEqualTo("duplicate");
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        router.connection().jetStreamManagement().getStreamInfo("CAF_ASSIGNMENTS").getStreamState().getMsgCount() == 0);
                assertThat(router.resultsFor(id)).as("not run again").hasSize(1);
                assertThat(data.resolve("second/tenant-test/kill/0.txt")).doesNotExist();
            }
        }
    }

    /**
     * A worker that died after storing a step's completed-step record, result inside, and before
     * publishing the result: the next delivery of that message publishes the recorded result and
     * runs nothing. The record is written here as that worker left it.
     */
    @Test
    void aResultRecordedByAWorkerThatDiedBeforePublishingItIsPublishedFromTheRecordNotRunAgain(@TempDir Path data)
            throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             NatsProbe router = new NatsProbe(nats.url())) {
            try (WorkerProcess setup = worker(nats, data.resolve("setup"))) {
                // streams, consumer and bucket exist once a worker started
            }
            ObjectNode assignment = put(0);
            String id = assignment.get("assignment_id").asText();
            long sequence = router.connection().jetStream().publish("caf.exec.assign.v1", Assignments.bytes(assignment)).getSeqno();
            // larger than what a record keeps once its result is stored (1 KiB)
            String recorded = "{\"assignment_id\":\"" + id + "\",\"status\":\"success\",\"output\":{\"from\":\"the record\","
                    + "\"padding\":\"" + "x".repeat(2000) + "\"}}";
            router.connection().keyValue("caf_completed").put(CompletedRecord.key(id),
                    ("{\"status\":\"success\",\"completedAt\":1,\"sequence\":" + sequence + ",\"result\":" + recorded + "}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));

            try (WorkerProcess next = worker(nats, data.resolve("next"))) {
                await().atMost(Duration.ofSeconds(30)).until(() -> router.resultsFor(id).size() == 1);
                assertThat(router.resultsFor(id).get(0).path("output").path("from").asText()).isEqualTo("the record");
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        router.connection().jetStreamManagement().getStreamInfo("CAF_ASSIGNMENTS").getStreamState().getMsgCount() == 0);
                // once stored, the record keeps the facts and lets go of the (large) result's bytes
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(CompletedRecord.read(
                        router.connection().keyValue("caf_completed").get(CompletedRecord.key(id)).getValue()).result()).isNull());
                Thread.sleep(500);
                assertThat(router.resultsFor(id)).hasSize(1);
                assertThat(router.acksFor(id)).as("not admitted again").isEmpty();
                assertThat(data.resolve("next/tenant-test/kill/0.txt")).as("not run again").doesNotExist();
                assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).containsEntry(id, 1);
            }
        }
    }

    /**
     * The completed-step record is stored before its result is published: whenever a Router sees
     * a result, the record that keeps the step from running again is already there.
     */
    @Test
    void everyResultIsPublishedAfterItsCompletedStepRecordIsStored(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             WorkerProcess worker = worker(nats, data);
             NatsProbe router = new NatsProbe(nats.url());
             io.nats.client.Connection records = io.nats.client.Nats.connect(nats.url())) {
            io.nats.client.KeyValue bucket = records.keyValue("caf_completed");
            java.util.Set<String> withoutRecord = java.util.concurrent.ConcurrentHashMap.newKeySet();
            java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
            io.nats.client.Dispatcher results = records.createDispatcher(message -> {
                String id = "?";
                try {
                    id = io.beamline.worker.contract.Json.readTree(message.getData()).path("assignment_id").asText();
                    if (bucket.get(CompletedRecord.key(id)) == null) {
                        withoutRecord.add(id);
                    }
                } catch (Exception e) {
                    withoutRecord.add(id + " (" + e + ")");
                }
                seen.add(id);
            });
            results.subscribe("caf.exec.result.v1");
            records.flush(Duration.ofSeconds(5));

            List<String> ids = publishStored(router, 100, JetStreamIT::put);

            await().atMost(Duration.ofSeconds(60)).until(() -> seen.containsAll(ids));
            assertThat(withoutRecord).isEmpty();
        }
    }

    @Test
    void assignmentIdsThatNoHeaderCouldCarryAreAnsweredAndStored(@TempDir Path data) throws Exception {
        List<String> odd = List.of("js-é-ü-" + System.nanoTime(), "x\r\nX-Inj: 1-" + System.nanoTime(), "x\t\u2028-" + System.nanoTime());
        try (NatsServer nats = NatsServer.start(true);
             WorkerProcess worker = worker(nats, data);
             NatsProbe router = new NatsProbe(nats.url())) {
            List<String> ids = publishStored(router, odd.size(), i -> {
                ObjectNode assignment = put(i);
                assignment.put("assignment_id", odd.get(i));
                return assignment;
            });

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).hasSize(odd.size()));
            assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES).values()).allMatch(n -> n == 1);
            assertThat(ids).allSatisfy(id -> assertThat(router.acksFor(id)).singleElement()
                    .satisfies(ack -> assertThat(ack.path("status").asText()).isEqualTo("accepted")));
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    router.connection().jetStreamManagement().getStreamInfo("CAF_ASSIGNMENTS").getStreamState().getMsgCount() == 0);
        }
    }

    @Test
    void killingWorkersAtRandomLosesNothingAndRunsNothingTwiceVisibly(@TempDir Path data) throws Exception {
        int count = 10_000;
        try (NatsServer nats = NatsServer.start(true);
             NatsProbe router = new NatsProbe(nats.url())) {
            List<WorkerProcess> workers = new ArrayList<>();
            try {
                // one data dir per worker slot, as on separate machines; a replacement reuses its slot
                for (int i = 0; i < 3; i++) {
                    workers.add(worker(nats, data.resolve("w" + i)));
                }
                List<String> ids = publishStored(router, count, JetStreamIT::put);
                Random random = new Random(7);

                // five times: kill -9 a random worker at a random moment, then start a replacement
                for (int round = 0; round < 5; round++) {
                    Thread.sleep(300 + random.nextInt(1200));
                    int victim = random.nextInt(workers.size());
                    workers.get(victim).kill();
                    workers.set(victim, worker(nats, data.resolve("w" + victim)));
                }

                await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                        assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES))
                                .as("results stored; dead letters meanwhile: %s", router.deadLetters).hasSize(count));
                Map<String, Integer> stored = OutcomeStream.resultCounts(router.connection(), OUTCOMES);
                assertThat(stored.keySet()).containsExactlyInAnyOrderElementsOf(ids);
                assertThat(stored.values()).as("one stored result per assignment").allMatch(n -> n == 1);
                for (int i = 0; i < count; i += 97) {
                    int copies = 0;
                    for (int w = 0; w < 3; w++) {
                        Path file = data.resolve("w" + w + "/tenant-test/kill/" + i + ".txt");
                        if (Files.exists(file)) {
                            copies++;
                            assertThat(Files.readString(file)).isEqualTo("value-" + i);  // a repeat writes the same bytes
                        }
                    }
                    assertThat(copies).isPositive();
                }
            } finally {
                for (WorkerProcess worker : workers) {
                    worker.close();  // also when an assertion failed: no orphan processes
                }
            }
        }
    }

    @Test
    void aNatsRestartMidLoadLosesNothingAndTheWorkerReconnectsByItself(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             WorkerProcess worker = worker(nats, data)) {
            List<String> ids;
            try (NatsProbe router = new NatsProbe(nats.url())) {
                ids = publishStored(router, 3000, JetStreamIT::put);
            }
            Thread.sleep(500);

            nats.restart();  // storage on disk is kept

            try (NatsProbe router = new NatsProbe(nats.url())) {
                await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                        assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).hasSize(ids.size()));
                assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES).values()).allMatch(n -> n == 1);
            }
            assertThat(worker.process().isAlive()).isTrue();
            assertThat(worker.get("/_health").status()).isEqualTo(200);
        }
    }

    /**
     * Audit finding: steps that finished while the NATS server restarted could not store their
     * outcome, their worker handed the messages back at the first timeout, and the other worker
     * ran them again. Each worker now keeps trying until its outcome is stored.
     */
    @Test
    void stepsThatFinishWhileNatsIsDownAreStoredByTheirWorkerOnceItIsBackNotRunAgainElsewhere(@TempDir Path data)
            throws Exception {
        int steps = 4;
        try (NatsServer nats = NatsServer.start(true);
             io.beamline.worker.support.FaultServer remote = io.beamline.worker.support.FaultServer.start()) {
            for (int i = 0; i < steps; i++) {
                remote.on("/slow/" + i, io.beamline.worker.support.Reply.ok("done").delayHeaders(Duration.ofSeconds(2)));
            }
            // the default AckWait (30 s): no redelivery but the one a worker asks for
            try (WorkerProcess a = worker(nats, data.resolve("a"), "--io-pool-size", "2", "--js-max-deliver", "20");
                 WorkerProcess b = worker(nats, data.resolve("b"), "--io-pool-size", "2", "--js-max-deliver", "20")) {
                try (NatsProbe router = new NatsProbe(nats.url())) {
                    publishStored(router, steps, i -> {
                        ObjectNode call = Assignments.httpGet(remote.url("/slow/" + i));
                        call.put("assignment_id", "restart-" + i + "-" + System.nanoTime());
                        return call;
                    });
                    await().atMost(Duration.ofSeconds(20)).until(() -> remote.requests().size() == steps);
                }

                nats.kill();  // the steps finish while the server is down, and their first stores time out
                Thread.sleep(10_000);
                nats.launch();

                try (NatsProbe router = new NatsProbe(nats.url())) {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                            assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).hasSize(steps));
                    await().atMost(Duration.ofSeconds(30)).until(() -> router.connection().jetStreamManagement()
                            .getConsumerInfo("CAF_ASSIGNMENTS", "caf-workers").getNumAckPending() == 0);
                }
                assertThat(remote.requests()).as("every step ran once").hasSize(steps);
            }
        }
    }

    @Test
    void messagesThatReachTheWorkerAfterItsPullRanOutAreTakenNotLeftForTheAckWait(@TempDir Path data) throws Exception {
        // the way back from the server is 400 ms slow: of each 1 s pull, what the server sends in
        // its last 400 ms arrives after the worker's own clock ended the pull
        try (NatsServer nats = NatsServer.start(true);
             DelayingProxy slowWayBack =
                     DelayingProxy.start(nats.port(), Duration.ofMillis(400));
             WorkerProcess worker = WorkerProcess.serveSandbox(slowWayBack.natsUrl(), Map.of("WORKER_LOG_LEVEL", "WARN"),
                     "--transport", "jetstream", "--data-dir", data.toString(), "--js-ack-wait-ms", "30000");
             NatsProbe router = new NatsProbe(nats.url())) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {  // one every 100 ms, spread over three pulls
                ids.addAll(publishStored(router, 1, JetStreamIT::put));
                Thread.sleep(100);
            }

            // well within the 30 s AckWait after which the server would send a lost message again
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).hasSize(ids.size()));
            assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES).values()).allMatch(n -> n == 1);
        }
    }

    /**
     * Audit finding: the worker took a pull's expiry status that came after its own clock had
     * ended the pull as the end of the next one, and pulled again with that one still open:
     * with --js-max-in-flight 1 it held 7 deliveries, and steps beyond its room sat unread, got
     * no in-progress acks and ran a second time elsewhere after the AckWait.
     */
    @Test
    void aWorkerNeverHoldsMoreDeliveriesThanItsMaxInFlight(@TempDir Path data) throws Exception {
        int steps = 12;
        try (NatsServer nats = NatsServer.start(true);
             io.beamline.worker.support.FaultServer remote = io.beamline.worker.support.FaultServer.start();
             WorkerProcess worker = worker(nats, data, "--js-max-in-flight", "2", "--io-pool-size", "4");
             NatsProbe router = new NatsProbe(nats.url())) {
            remote.on("/second", io.beamline.worker.support.Reply.ok("done").delayHeaders(Duration.ofMillis(700)));
            Thread.sleep(3000);  // idle pulls come and go first: what the bug needed to pile up
            List<String> ids = publishStored(router, steps, i -> Assignments.httpGet(remote.url("/second")));

            int mostHeld = 0;
            long until = System.nanoTime() + Duration.ofSeconds(6).toNanos();
            while (System.nanoTime() < until) {
                mostHeld = Math.max(mostHeld, (int) router.connection().jetStreamManagement()
                        .getConsumerInfo("CAF_ASSIGNMENTS", "caf-workers").getNumAckPending());
                Thread.sleep(50);
            }
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).hasSize(ids.size()));
            assertThat(mostHeld).as("deliveries held at once").isBetween(1, 2);
            assertThat(remote.requests()).as("every step ran once").hasSize(steps);
        }
    }

    @Test
    void aServerWithoutJetStreamStopsTheWorkerWithAClearErrorNotAStackTrace(@TempDir Path data) throws Exception {
        try (NatsServer plain = NatsServer.start(false)) {
            WorkerProcess worker = WorkerProcess.builder("serve", "--nats-url", plain.url(), "--transport", "jetstream",
                    "--data-dir", data.toString(), "--health-endpoint", "127.0.0.1:0", "--prometheus-endpoint", "127.0.0.1:0")
                    .run(Duration.ofSeconds(90));

            assertThat(worker.process().exitValue()).isEqualTo(2);
            assertThat(worker.stderr()).contains("--transport jetstream", "JetStream enabled").doesNotContain("\tat ");
            // it never took work, so it never said it would
            assertThat(worker.stdout() + worker.stderr()).doesNotContain(" ready: ");
        }
    }

    @Test
    void sigtermHandsQueuedWorkBackForAnotherWorkerAndExitsZero(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             NatsProbe router = new NatsProbe(nats.url());
             WorkerProcess first = worker(nats, data.resolve("a"), "--io-pool-size", "1", "--js-max-in-flight", "50")) {
            List<String> ids = publishStored(router, 60, i -> {
                ObjectNode a = Assignments.withJob("{\"type\":\"sql.query\",\"connection_string\":\"sqlite://missing.db\",\"query\":\"SELECT 1\"}");
                a.put("assignment_id", "handback-" + i + "-" + System.nanoTime());
                return a;
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> router.acks.size() >= 10);

            assertThat(first.terminate(Duration.ofSeconds(20))).isZero();
            try (WorkerProcess second = worker(nats, data.resolve("b"))) {
                await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                        assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).hasSize(ids.size()));
                assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES).values()).allMatch(n -> n == 1);
            }
        }
    }

    @Test
    void messagesTheServerStopsRedeliveringBecomeDeadLetters(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             java.net.ServerSocket blackhole = new java.net.ServerSocket(0);
             NatsProbe router = new NatsProbe(nats.url())) {
            String[] maxOnce = {"--js-max-deliver", "1", "--js-ack-wait-ms", "6000"};
            // given: a worker holds steps that never finish, and dies holding them
            WorkerProcess holder = worker(nats, data.resolve("holder"), maxOnce);
            List<String> ids = publishStored(router, 5, i -> {
                ObjectNode a = Assignments.withJob("{\"type\":\"http.request\",\"url\":\"http://127.0.0.1:"
                        + blackhole.getLocalPort() + "/hang\",\"timeout_ms\":600000}");
                a.put("assignment_id", "poison-" + i + "-" + System.nanoTime());
                return a;
            });
            await().atMost(Duration.ofSeconds(20)).until(() -> router.acks.size() >= ids.size());
            holder.kill();

            // when: another worker is up while the server gives up on them (MaxDeliver 1)
            try (WorkerProcess survivor = worker(nats, data.resolve("survivor"), "--js-max-deliver", "1", "--js-ack-wait-ms", "6000",
                    "--worker-id", "survivor-1")) {

                // then: each becomes a dead letter with its payload, and leaves the stream
                await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(router.deadLetters.stream()
                        .filter(d -> d.path("reason").asText().equals("max_deliveries_exceeded"))
                        .map(d -> d.path("assignment_id").asText())).containsExactlyInAnyOrderElementsOf(ids));
                assertThat(router.deadLetters).allMatch(d -> d.path("payload").has("job"));
                assertThat(router.deadLetters).as("signed by the worker that wrote them")
                        .allMatch(d -> d.path("worker_id").asText().equals("survivor-1"));
                // and, accepted by the holder, each has one final result: an error not retried
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                        assertThat(OutcomeStream.resultCounts(router.connection(), OUTCOMES)).containsOnlyKeys(ids)
                                .allSatisfy((id, n) -> assertThat(n).isEqualTo(1)));
                assertThat(ids).allSatisfy(id -> assertThat(router.resultsFor(id)).singleElement().satisfies(result -> {
                    assertThat(result.path("status").asText()).isEqualTo("error");
                    assertThat(result.path("error").path("code").asInt()).isEqualTo(4001);
                    assertThat(result.path("error").path("retryable").asBoolean()).isFalse();
                }));
                await().atMost(Duration.ofSeconds(10)).until(() ->
                        router.connection().jetStreamManagement().getStreamInfo("CAF_ASSIGNMENTS").getStreamState().getMsgCount() == 0);
            }
        }
    }
}
