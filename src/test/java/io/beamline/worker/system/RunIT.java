package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run FILE|-}: the embedded mode, through bin/beamline-worker. */
class RunIT {

    @Test
    void runPrintsOneAckAndOneResultPerAssignmentAndDeadLettersTheRest(@TempDir Path data) throws Exception {
        WorkerProcess worker = WorkerProcess.builder("run", "--sandbox", "--data-dir", data.toString(),
                "--health-endpoint", "127.0.0.1:0", "examples/assignments.jsonl").run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isZero();
        List<JsonNode> lines = jsonLines(worker.stdout());
        List<JsonNode> acks = lines.stream().filter(l -> l.has("acknowledged_at")).toList();
        List<JsonNode> results = lines.stream().filter(l -> l.has("completed_at")).toList();
        List<JsonNode> deadLetters = lines.stream().filter(l -> l.has("worker_id")).toList();
        assertThat(acks).hasSize(5);
        assertThat(acks.stream().filter(a -> a.get("status").asText().equals("accepted"))).hasSize(4);
        assertThat(results).hasSize(4).allMatch(r -> r.get("status").asText().equals("success"));
        assertThat(deadLetters).extracting(d -> d.get("reason").asText()).containsExactlyInAnyOrder("unsupported_block", "unreadable");
        for (JsonNode result : results) {
            String id = result.get("assignment_id").asText();
            int ackLine = indexOf(lines, id, "acknowledged_at");
            assertThat(ackLine).as("ack of " + id + " precedes its result").isLessThan(lines.indexOf(result));
        }
    }

    @Test
    void stepLogLinesHaveTheShapeOfTheGoldenLogLine(@TempDir Path data) throws Exception {
        WorkerProcess worker = WorkerProcess.builder("run", "--sandbox", "--data-dir", data.toString(),
                "--health-endpoint", "127.0.0.1:0", "examples/assignments.jsonl").run(Duration.ofSeconds(60));

        JsonNode golden = ServeIT.golden("log-line.json");
        JsonNode completed = jsonLines(worker.stderr()).stream()
                .filter(l -> l.path("message").asText().equals("Step execution completed")
                        && l.path("fields").path("assignment_id").asText().equals("example-http-1"))
                .findFirst().orElseThrow();
        assertThat(ServeIT.names(completed)).containsAll(ServeIT.names(golden));
        assertThat(ServeIT.names(completed.get("fields"))).containsAll(ServeIT.names(golden.get("fields")));
        assertThat(completed.get("trace_id").asText()).isEqualTo("trace-1");
        assertThat(completed.get("tenant_id").asText()).isEqualTo("tenant-a");
        assertThat(completed.get("fields").get("latency_ms").isIntegralNumber()).isTrue();
        assertThat(completed.get("timestamp").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
    }

    @Test
    void runReadsStandardInput(@TempDir Path data) throws Exception {
        Path input = data.resolve("in.jsonl");
        Files.writeString(input, Files.readAllLines(WorkerProcess.home().resolve("examples/assignments.jsonl")).get(1) + "\n");

        WorkerProcess worker = WorkerProcess.builder("run", "-", "--data-dir", data.toString(), "--health-endpoint", "127.0.0.1:0")
                .env(Map.of("WORKER_SANDBOX_MODE", "yes")).stdin(input).run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isZero();
        assertThat(jsonLines(worker.stdout())).hasSize(2);
    }

    static List<JsonNode> jsonLines(String text) throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("{")) {
                lines.add(Json.mapper().readTree(line));
            }
        }
        return lines;
    }

    private static int indexOf(List<JsonNode> lines, String id, String field) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).has(field) && lines.get(i).path("assignment_id").asText().equals(id)) {
                return i;
            }
        }
        return -1;
    }
}
