package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.Reply;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Through the front door (a worker process, a real nats-server, a real HTTP target that fails on
 * purpose): an io step waiting to retry does not hold the pool's only slot, so a step behind it
 * is answered during the wait, and the retried step still succeeds with its retries counted.
 */
class RetrySlotIT {
    @TempDir
    Path dataDir;

    @Test
    void aStepBehindARetryingOneIsAnsweredDuringTheBackoff() throws Exception {
        try (NatsServer nats = NatsServer.start();
             FaultServer target = FaultServer.start()
                     .on("/flaky", Reply.status(503), Reply.status(503), Reply.ok("third time"))
                     .on("/ok", Reply.ok("at once"));
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_SANDBOX_MODE", "false"),
                     "--io-pool-size", "1", "--data-dir", dataDir.toString());
             NatsProbe router = new NatsProbe(nats.url())) {
            ObjectNode flaky = Assignments.httpGet(target.url("/flaky"));
            ObjectNode quick = Assignments.httpGet(target.url("/ok"));
            String flakyId = flaky.get("assignment_id").asText();
            String quickId = quick.get("assignment_id").asText();

            router.publish(Assignments.bytes(flaky));
            // its first attempt failed; the next comes 100 ms later, the third 200 ms after that
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(2)).until(() -> target.requests().size() == 1);
            router.publish(Assignments.bytes(quick));

            await().atMost(Duration.ofSeconds(20)).until(() -> router.results.size() == 2);
            List<String> order = router.results.stream().map(r -> r.path("assignment_id").asText()).toList();
            assertThat(order).as("the quick step did not wait out the other's backoffs").containsExactly(quickId, flakyId);
            JsonNode retried = router.resultsFor(flakyId).getFirst();
            assertThat(retried.path("status").asText()).isEqualTo("success");
            assertThat(retried.path("retries_used").asInt()).isEqualTo(2);
            assertThat(router.resultsFor(quickId).getFirst().path("status").asText()).isEqualTo("success");
        }
    }
}
