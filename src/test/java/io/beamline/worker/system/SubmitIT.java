package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code submit FILE}: the operator's Router-side client against a serving worker. */
class SubmitIT {

    @Test
    void submitPrintsTheAckAndTheResultAndExitsZeroOnSuccess(@TempDir Path dir) throws Exception {
        try (NatsServer nats = NatsServer.start();
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of())) {
            Path file = dir.resolve("assignment.json");
            Files.writeString(file, ServeIT.golden("assignment-http.json").toString());

            WorkerProcess submit = WorkerProcess.builder("submit", file.toString(), "--nats-url", nats.url(), "--timeout-ms", "20000")
                    .run(Duration.ofSeconds(60));

            assertThat(submit.process().exitValue()).as(submit.stderr()).isZero();
            List<JsonNode> lines = RunIT.jsonLines(submit.stdout());
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0).get("status").asText()).isEqualTo("accepted");
            assertThat(lines.get(1).get("status").asText()).isEqualTo("success");
            assertThat(lines.get(1).get("assignment_id").asText()).isEqualTo("assign-123");
        }
    }

    @Test
    void submitExitsTwoWhenTheAssignmentIsRejected(@TempDir Path dir) throws Exception {
        try (NatsServer nats = NatsServer.start();
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of())) {
            Path file = dir.resolve("assignment.json");
            Files.writeString(file, "{\"assignment_id\":\"bad-1\",\"version\":\"7\"}");

            WorkerProcess submit = WorkerProcess.builder("submit", file.toString(), "--nats-url", nats.url())
                    .run(Duration.ofSeconds(60));

            assertThat(submit.process().exitValue()).isEqualTo(2);
            assertThat(RunIT.jsonLines(submit.stdout()).getFirst().get("status").asText()).isEqualTo("rejected");
        }
    }

    @Test
    void submitExplainsAMissingFileABadTimeoutAndAnUnreachableServerWithoutAStackTrace(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("assignment.json");
        Files.writeString(file, ServeIT.golden("assignment-http.json").toString());
        String nowhere = "nats://127.0.0.1:" + NatsServer.freePort();

        WorkerProcess missing = WorkerProcess.builder("submit", dir.resolve("nope.json").toString(), "--nats-url", nowhere)
                .run(Duration.ofSeconds(60));
        WorkerProcess badTimeout = WorkerProcess.builder("submit", file.toString(), "--nats-url", nowhere, "--timeout-ms", "-5")
                .run(Duration.ofSeconds(60));
        WorkerProcess unreachable = WorkerProcess.builder("submit", file.toString(), "--nats-url", nowhere)
                .run(Duration.ofSeconds(60));

        assertThat(missing.process().exitValue()).isEqualTo(2);
        assertThat(missing.stderr()).contains("nope.json").doesNotContain("\tat ");
        assertThat(badTimeout.process().exitValue()).isEqualTo(2);
        assertThat(badTimeout.stderr()).contains("--timeout-ms");
        assertThat(unreachable.process().exitValue()).isEqualTo(3);
        assertThat(unreachable.stderr()).contains("cannot connect to NATS").doesNotContain("\tat ");
    }
}
