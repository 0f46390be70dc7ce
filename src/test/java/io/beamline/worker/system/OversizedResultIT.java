package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A step whose output is larger than one NATS message (max_payload, 1 MiB by default) still gets
 * its one final result: an error that says why, instead of a publish the client refuses and a
 * step left running for ever. The default limits allow such outputs (a file just under the
 * inline limit grows by a third in base64).
 */
class OversizedResultIT {
    @TempDir
    Path data;

    @Test
    void anOutputTooLargeForOneMessageEndsTheStepWithAnErrorThatSaysWhy() throws Exception {
        byte[] binary = new byte[1_000_000];
        new Random(3).nextBytes(binary);  // not UTF-8: fs.get returns it in base64, ~1.33 MB, once allowed to inline it
        Files.createDirectories(data.resolve("tenant-test"));
        Files.write(data.resolve("tenant-test/big.bin"), binary);
        try (NatsServer nats = NatsServer.start();
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_SANDBOX_MODE", "false"),
                     "--data-dir", data.toString(), "--fs-max-inline-bytes", "4000000");
             NatsProbe router = new NatsProbe(nats.url())) {
            ObjectNode big = Assignments.fsGet("/big.bin");
            ObjectNode small = Assignments.fsGet("/big.bin");
            ((ObjectNode) small.get("job")).put("path", "/small.txt");
            Files.writeString(data.resolve("tenant-test/small.txt"), "fits");
            String bigId = big.get("assignment_id").asText();
            String smallId = small.get("assignment_id").asText();

            router.publish(Assignments.bytes(big));
            router.publish(Assignments.bytes(small));

            await().atMost(Duration.ofSeconds(20)).until(() -> !router.resultsFor(bigId).isEmpty() && !router.resultsFor(smallId).isEmpty());
            JsonNode result = router.resultsFor(bigId).getFirst();
            assertThat(result.path("status").asText()).isEqualTo("error");
            assertThat(result.path("error").path("code").asInt()).isEqualTo(2001);
            assertThat(result.path("error").path("details").path("result_size_bytes").asLong()).isGreaterThan(1_048_576);
            assertThat(result.path("error").path("details").path("max_message_bytes").asLong()).isEqualTo(1_048_576);
            assertThat(result.path("error").path("message").asText()).contains("--fs-max-inline-bytes");
            assertThat(router.resultsFor(smallId).getFirst().path("status").asText()).isEqualTo("success");
            // the result is published before the step is marked finished: that follows at once
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(worker.get("/assignments/" + bigId).body()).doesNotContain("\"running\""));
            assertThat(worker.terminate(Duration.ofSeconds(20))).as("nothing left in flight to wait for").isZero();
        }
    }
}
