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

            // when: 200,000 more io steps arrive
            for (int i = 0; i < FLOOD; i++) {
                router.publish(Assignments.bytes(Assignments.fsGet("/f" + i)));
                if (i % 5000 == 0) {
                    router.flush();
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
}
