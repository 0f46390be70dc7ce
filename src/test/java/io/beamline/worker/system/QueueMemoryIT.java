package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6: a flood of 200,000 assignments that cannot run yet stays inside --max-memory-mb:
 * the worker queues what its budget allows and refuses the rest with 4002, instead of running
 * out of memory. Prints the figures; asserts the process's resident memory against the budget
 * and that every assignment got an answer.
 */
class QueueMemoryIT {
    private static final int FLOOD = 200_000;
    private static final int BUDGET_MB = 512;

    @Test
    void twoHundredThousandQueuedAssignmentsStayWithinTheMemoryBudget(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start();
             ServerSocket blackhole = new ServerSocket(0);
             NatsProbe router = new NatsProbe(nats.url());
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(),
                     Map.of("WORKER_SANDBOX_MODE", "false", "WORKER_LOG_LEVEL", "WARN"),
                     "--data-dir", data.toString(), "--io-pool-size", "1", "--max-memory-mb", String.valueOf(BUDGET_MB))) {
            // given: the only io slot is taken by a request to a server that never answers
            ObjectNode blocker = Assignments.httpGet("http://127.0.0.1:" + blackhole.getLocalPort() + "/hang");
            ((ObjectNode) blocker.get("job")).put("timeout_ms", 600_000);
            router.publish(Assignments.bytes(blocker));
            long rssIdleKb = rssKb(worker);

            // when: 200,000 more io steps arrive, at most 20,000 unanswered at a time: the queue's
            // memory is the point here, not how much unread input the NATS client holds (beyond
            // its pending limit it drops messages as a slow consumer, unanswered, and a loaded
            // machine reached that limit)
            for (int i = 0; i < FLOOD; i++) {
                router.publish(Assignments.bytes(Assignments.fsGet("/f" + i)));
                if (i % 5000 == 0) {
                    router.flush();
                    int published = i + 2;
                    await().atMost(Duration.ofSeconds(60)).until(() -> router.acks.size() >= published - 20_000);
                }
            }
            router.flush();
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> router.acks.size() >= FLOOD + 1);

            // then: each got an answer, the process stayed inside its budget
            long accepted = router.acks.stream().filter(a -> a.path("status").asText().equals("accepted")).count();
            long refused = router.acks.stream().filter(a -> "queue_full".equals(a.path("reason").asText())).count();
            long rssKb = rssKb(worker);
            JsonNode health = io.beamline.worker.contract.Json.mapper().readTree(worker.get("/_health").body());
            System.out.printf("queue memory: %d assignments, %d accepted (queued), %d refused 4002; RSS idle %d MiB, "
                    + "flooded %d MiB, budget %d MiB; pools check: %s%n", FLOOD + 1, accepted, refused, rssIdleKb / 1024,
                    rssKb / 1024, BUDGET_MB, health.path("checks").path("pools").path("message").asText());
            assertThat(accepted + refused).isEqualTo(FLOOD + 1);
            assertThat(rssKb / 1024).isLessThanOrEqualTo(BUDGET_MB);
            assertThat(worker.process().isAlive()).isTrue();
        }
    }

    /**
     * Audit finding: with a small budget (128 MB) a burst of 500 KB assignments behind a busy
     * pool ended the process with OutOfMemoryError, and the steps it had accepted with it. Now
     * admission refuses in time (the queued work's budget fits the heap's old generation) and
     * the client holds only so much unhandled input; every accepted step gets its result.
     */
    @Test
    void aBurstOfLargeAssignmentsOnASmallBudgetIsRefusedNotFatal(@TempDir Path data) throws Exception {
        int burst = 200;
        String content = "x".repeat(500_000);
        try (NatsServer nats = NatsServer.start();
             ServerSocket blackhole = new ServerSocket(0);
             NatsProbe router = new NatsProbe(nats.url());
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(),
                     Map.of("WORKER_SANDBOX_MODE", "false", "WORKER_LOG_LEVEL", "WARN"),
                     "--data-dir", data.toString(), "--io-pool-size", "1", "--intake-threads", "1", "--max-memory-mb", "128")) {
            ObjectNode blocker = Assignments.httpGet("http://127.0.0.1:" + blackhole.getLocalPort() + "/hang");
            ((ObjectNode) blocker.get("job")).put("timeout_ms", 3_000);
            router.publish(Assignments.bytes(blocker));
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < burst; i++) {
                ObjectNode put = Assignments.withJob("{\"type\":\"fs.put\",\"path\":\"/big/" + i + ".txt\"}");
                ((ObjectNode) put.get("job")).put("content", content);
                ids.add(put.get("assignment_id").asText());
                router.publish(Assignments.bytes(put));
            }
            router.flush();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    ids.stream().filter(id -> router.acksFor(id).stream().anyMatch(a -> a.path("status").asText().equals("accepted")))
                            .allMatch(id -> router.resultsFor(id).size() == 1) && worker.get("/_health").status() == 200);
            long accepted = ids.stream().filter(id -> !router.acksFor(id).isEmpty()
                    && router.acksFor(id).getFirst().path("status").asText().equals("accepted")).count();
            System.out.printf("burst of %d x 500 KB at --max-memory-mb 128: %d accepted, %d refused, %d unanswered (dropped "
                    + "by the client as a slow consumer)%n", burst, accepted,
                    ids.stream().filter(id -> router.acksFor(id).stream().anyMatch(a -> a.path("status").asText().equals("rejected"))).count(),
                    ids.stream().filter(id -> router.acksFor(id).isEmpty()).count());
            assertThat(worker.process().isAlive()).isTrue();
            assertThat(accepted).isPositive();
            assertThat(ids).allSatisfy(id -> assertThat(router.resultsFor(id)).hasSizeLessThanOrEqualTo(1));
        }
    }

    private static long rssKb(WorkerProcess worker) throws Exception {
        long pid = worker.process().descendants().filter(p -> p.info().command().orElse("").endsWith("java"))
                .findFirst().map(ProcessHandle::pid).orElse(worker.process().pid());
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    /**
     * Audit findings: at the smallest budget a burst of large fs.put steps ended the process with
     * OutOfMemoryError. At 64 MB with 300 KB steps (then the smallest budget) because the budget
     * counted queued steps only, not the sixteen running at once (the default IO pool), each
     * holding its assignment and content; running steps now keep their share until they end
     * (PoolTest). And still, under CPU contention, with 400 KB steps: the fixed costs (the
     * remembered finished steps' arrays, the client's buffers) leave too little of a 48 MB heap,
     * so the smallest budget is 128 MB since. This holds the smallest budget to a burst of
     * 600 KB steps with every IO slot busy.
     */
    @Test
    void aBurstAtTheSmallestBudgetWithEveryIoSlotRunningIsRefusedNotFatal(@TempDir Path data) throws Exception {
        int burst = 200;
        String content = "x".repeat(600_000);
        try (NatsServer nats = NatsServer.start();
             NatsProbe router = new NatsProbe(nats.url());
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(),
                     Map.of("WORKER_SANDBOX_MODE", "false", "WORKER_LOG_LEVEL", "WARN"),
                     "--data-dir", data.toString(), "--max-memory-mb", "128")) {
            java.util.List<String> ids = new java.util.ArrayList<>();
            for (int i = 0; i < burst; i++) {
                ObjectNode put = Assignments.withJob("{\"type\":\"fs.put\",\"path\":\"/big/" + (i % 5) + ".txt\"}");
                ((ObjectNode) put.get("job")).put("content", content);
                ids.add(put.get("assignment_id").asText());
                router.publish(Assignments.bytes(put));
            }
            router.flush();

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                    !worker.process().isAlive() || ids.stream()
                            .filter(id -> router.acksFor(id).stream().anyMatch(a -> a.path("status").asText().equals("accepted")))
                            .allMatch(id -> router.resultsFor(id).size() == 1) && worker.get("/_health").status() == 200);
            long accepted = ids.stream().filter(id -> !router.acksFor(id).isEmpty()
                    && router.acksFor(id).getFirst().path("status").asText().equals("accepted")).count();
            System.out.printf("burst of %d x 600 KB at --max-memory-mb 128: %d accepted, %d answered%n", burst, accepted,
                    ids.stream().filter(id -> !router.resultsFor(id).isEmpty()).count());
            assertThat(worker.process().isAlive()).as("alive; stderr: %s", worker.stderr()).isTrue();
            assertThat(accepted).isPositive();
            assertThat(ids).allSatisfy(id -> assertThat(router.resultsFor(id)).hasSizeLessThanOrEqualTo(1));
        }
    }
}
