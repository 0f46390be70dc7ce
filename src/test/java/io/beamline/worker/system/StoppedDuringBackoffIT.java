package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.Reply;
import io.beamline.worker.support.WorkerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step stopped while it waits between attempts (cancelled by the Router, or the worker told to
 * shut down) still publishes its one final result. The stop interrupts the waiting thread; that
 * interrupt used to stay set while the result was published, and jnats drops a publish made from
 * an interrupted thread without a word, so the Router never heard of the step again.
 */
class StoppedDuringBackoffIT {
    /** Every attempt fails with 503 and the next one is 5 s away: the stop lands in the wait. */
    private static final String LONG_BACKOFF = "{\"max_attempts\":5,\"base_delay_ms\":5000,\"max_delay_ms\":5000,\"jitter\":\"none\"}";

    @TempDir
    Path dataDir;

    @Test
    void aStepCancelledWhileWaitingToRetryPublishesItsCancelledResult() throws Exception {
        try (NatsServer nats = NatsServer.start();
             FaultServer target = FaultServer.start().on("/down", Reply.status(503));
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_SANDBOX_MODE", "false",
                     "CP2_CANCELLATION_ENABLED", "true", "CP2_ADVANCED_RETRY_ENABLED", "true"), "--data-dir", dataDir.toString());
             NatsProbe router = new NatsProbe(nats.url())) {
            String id = publishFailingStep(router, target);

            String cancel = "{\"assignment_id\":\"" + id + "\",\"tenant_id\":\"tenant-test\",\"reason\":\"user\"}";
            router.connection().publish(Subjects.CANCEL, cancel.getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(4)).until(() -> !router.resultsFor(id).isEmpty());
            JsonNode result = router.resultsFor(id).getFirst();
            assertThat(result.path("status").asText()).isEqualTo("cancelled");
            assertThat(result.path("error").path("code").asInt()).isEqualTo(5001);
            assertThat(target.requests("/down")).as("no attempt after the cancel").hasSize(1);
        }
    }

    @Test
    void aStepWaitingToRetryAtShutdownPublishesItsResultBeforeTheWorkerExits() throws Exception {
        try (NatsServer nats = NatsServer.start();
             FaultServer target = FaultServer.start().on("/down", Reply.status(503));
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_SANDBOX_MODE", "false",
                     "CP2_ADVANCED_RETRY_ENABLED", "true"), "--data-dir", dataDir.toString());
             NatsProbe router = new NatsProbe(nats.url())) {
            String id = publishFailingStep(router, target);

            assertThat(worker.terminate(Duration.ofSeconds(30))).isZero();

            await().atMost(Duration.ofSeconds(4)).until(() -> !router.resultsFor(id).isEmpty());
            JsonNode result = router.resultsFor(id).getFirst();
            assertThat(result.path("status").asText()).isEqualTo("error");
            assertThat(result.path("error").path("code").asInt()).isEqualTo(4001);
            assertThat(router.resultsFor(id)).hasSize(1);
        }
    }

    @Test
    void aStepWhoseNextAttemptWouldComeAfterTheGracePeriodDoesNotHoldTheShutdown() throws Exception {
        try (NatsServer nats = NatsServer.start();
             FaultServer target = FaultServer.start().on("/down", Reply.status(503));
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_SANDBOX_MODE", "false",
                     "CP2_ADVANCED_RETRY_ENABLED", "true"), "--data-dir", dataDir.toString(), "--shutdown-grace-ms", "60000");
             NatsProbe router = new NatsProbe(nats.url())) {
            String id = publishFailingStep(router, target, "/down",
                    "{\"max_attempts\":3,\"base_delay_ms\":120000,\"max_delay_ms\":120000,\"jitter\":\"none\"}", 600_000);

            // the retry is 120 s away, past the 60 s grace: waiting for it would only delay the
            // retryable answer the Router needs to run the step elsewhere
            assertThat(worker.terminate(Duration.ofSeconds(30))).isZero();

            await().atMost(Duration.ofSeconds(4)).until(() -> !router.resultsFor(id).isEmpty());
            assertThat(router.resultsFor(id)).hasSize(1);
            assertThat(router.resultsFor(id).getFirst().path("error").path("code").asInt()).isEqualTo(4001);
            assertThat(target.requests("/down")).hasSize(1);
        }
    }

    @Test
    void aStepWhoseNextAttemptFallsInsideTheGracePeriodStillFinishes() throws Exception {
        try (NatsServer nats = NatsServer.start();
             FaultServer target = FaultServer.start().on("/flaky", Reply.status(503), Reply.ok("{\"fine\":true}"));
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_SANDBOX_MODE", "false",
                     "CP2_ADVANCED_RETRY_ENABLED", "true"), "--data-dir", dataDir.toString(), "--shutdown-grace-ms", "60000");
             NatsProbe router = new NatsProbe(nats.url())) {
            String id = publishFailingStep(router, target, "/flaky",
                    "{\"max_attempts\":3,\"base_delay_ms\":2000,\"max_delay_ms\":2000,\"jitter\":\"none\"}", 60_000);

            assertThat(worker.terminate(Duration.ofSeconds(30))).isZero();

            await().atMost(Duration.ofSeconds(4)).until(() -> !router.resultsFor(id).isEmpty());
            assertThat(router.resultsFor(id)).hasSize(1);
            assertThat(router.resultsFor(id).getFirst().path("status").asText()).isEqualTo("success");
            assertThat(target.requests("/flaky")).hasSize(2);
        }
    }

    /** Publishes an HTTP step against the always-failing target and waits for its first attempt. */
    private static String publishFailingStep(NatsProbe router, FaultServer target) throws Exception {
        return publishFailingStep(router, target, "/down", LONG_BACKOFF, 60_000);
    }

    /** Publishes an HTTP step to {@code path} with this retry config and waits for its first (failed) attempt. */
    private static String publishFailingStep(NatsProbe router, FaultServer target, String path, String retryConfig,
                                             long timeoutMs) throws Exception {
        ObjectNode assignment = Assignments.httpGet(target.url(path));
        ((ObjectNode) assignment.get("job")).put("timeout_ms", timeoutMs);
        assignment.set("retry_config", Json.mapper().readTree(retryConfig));
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        await().atMost(Duration.ofSeconds(10)).until(() -> target.requests(path).size() == 1);
        Thread.sleep(200);  // the 503 is answered and the step is in its 5 s wait
        assertThat(router.acksFor(id)).hasSize(1);
        assertThat(router.resultsFor(id)).isEmpty();
        return id;
    }
}
