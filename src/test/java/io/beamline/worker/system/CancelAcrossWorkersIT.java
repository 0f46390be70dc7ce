package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
 * Cancels with several workers on one NATS: every worker hears every cancel and the one holding
 * the step stops it; a cancel no worker can read is one dead letter, not one per worker (an
 * audit counted two with two workers).
 */
class CancelAcrossWorkersIT {
    private static final Map<String, String> CANCELLATION = Map.of("WORKER_SANDBOX_MODE", "false", "CP2_CANCELLATION_ENABLED", "true");

    @Test
    void aCancelStopsTheStepWhereverItRunsAndABadCancelIsOneDeadLetter(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start();
             FaultServer target = FaultServer.start().on("/slow", Reply.ok("late").delayHeaders(Duration.ofSeconds(30)));
             WorkerProcess a = WorkerProcess.serveSandbox(nats.url(), CANCELLATION, "--data-dir", data.resolve("a").toString());
             WorkerProcess b = WorkerProcess.serveSandbox(nats.url(), CANCELLATION, "--data-dir", data.resolve("b").toString());
             NatsProbe router = new NatsProbe(nats.url())) {
            ObjectNode slow = Assignments.httpGet(target.url("/slow"));
            String id = slow.get("assignment_id").asText();
            router.publish(Assignments.bytes(slow));
            await().atMost(Duration.ofSeconds(20)).until(() -> target.requests("/slow").size() == 1);

            router.connection().publish(Subjects.CANCEL, "garbage".getBytes(StandardCharsets.UTF_8));
            router.connection().publish(Subjects.CANCEL, ("{\"assignment_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
            router.connection().publish(Subjects.CANCEL,
                    ("{\"assignment_id\":\"" + id + "\",\"tenant_id\":\"tenant-test\",\"reason\":\"user\"}").getBytes(StandardCharsets.UTF_8));

            await().atMost(Duration.ofSeconds(10)).until(() -> router.resultsFor(id).size() == 1);
            assertThat(router.resultsFor(id).getFirst().path("status").asText()).isEqualTo("cancelled");
            await().atMost(Duration.ofSeconds(10)).until(() -> router.deadLetters.size() >= 2);
            Thread.sleep(1_000);  // time for any second copy
            assertThat(router.deadLetters).as("one dead letter for each bad cancel").hasSize(2)
                    .allSatisfy(letter -> assertThat(letter.path("error").path("message").asText())
                            .startsWith("unreadable cancel request").doesNotContain("Source:"));
        }
    }
}
