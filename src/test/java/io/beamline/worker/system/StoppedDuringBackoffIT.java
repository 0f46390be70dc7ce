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

    /** Publishes an HTTP step against the always-failing target and waits for its first attempt. */
    private static String publishFailingStep(NatsProbe router, FaultServer target) throws Exception {
        ObjectNode assignment = Assignments.httpGet(target.url("/down"));
        ((ObjectNode) assignment.get("job")).put("timeout_ms", 60_000);
        assignment.set("retry_config", Json.mapper().readTree(LONG_BACKOFF));
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        await().atMost(Duration.ofSeconds(10)).until(() -> target.requests("/down").size() == 1);
        Thread.sleep(200);  // the 503 is answered and the step is in its 5 s wait
        assertThat(router.acksFor(id)).hasSize(1);
        assertThat(router.resultsFor(id)).isEmpty();
        return id;
    }
}
