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

    /** The README's first command, on a copy of the example data. */
    @Test
    void theReadmeExampleRunsWithRealBlocksAndAnswersEveryLine(@TempDir Path data) throws Exception {
        copyExampleData(data);
        WorkerProcess worker = WorkerProcess.builder("run", "--data-dir", data.toString(),
                "--health-endpoint", "127.0.0.1:0", "examples/assignments.jsonl").run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).as(worker.stderr()).isZero();
        List<JsonNode> lines = jsonLines(worker.stdout());
        List<JsonNode> acks = lines.stream().filter(l -> l.has("acknowledged_at")).toList();
        List<JsonNode> results = lines.stream().filter(l -> l.has("completed_at")).toList();
        List<JsonNode> deadLetters = lines.stream().filter(l -> l.has("worker_id")).toList();
        assertThat(acks).hasSize(6);
        assertThat(acks.stream().filter(a -> a.get("status").asText().equals("accepted"))).hasSize(5);
        assertThat(statusOf(results, "example-get-1")).isEqualTo("success");
        assertThat(statusOf(results, "example-put-1")).isEqualTo("success");
        assertThat(statusOf(results, "example-sql-1")).isEqualTo("success");
        assertThat(result(results, "example-sql-1").get("result").get("row_count").intValue()).isEqualTo(2);
        assertThat(result(results, "example-http-1").get("error").get("code").intValue()).isEqualTo(3001);
        assertThat(result(results, "example-escape-1").get("error").get("code").intValue()).isEqualTo(2003);
        assertThat(java.nio.file.Files.readString(data.resolve("tenant-a/reports/hello.json"))).isEqualTo("{\"hello\":\"world\"}");
        assertThat(deadLetters).extracting(d -> d.get("reason").asText())
                .containsExactlyInAnyOrder("unsupported_block", "unreadable", "non_retriable_failure");
        for (JsonNode result : results) {
            String id = result.get("assignment_id").asText();
            int ackLine = indexOf(lines, id, "acknowledged_at");
            assertThat(ackLine).as("ack of " + id + " precedes its result").isLessThan(lines.indexOf(result));
        }
    }

    @Test
    void sandboxModeAnswersTheSameFileWithoutTouchingAnything(@TempDir Path data) throws Exception {
        WorkerProcess worker = WorkerProcess.builder("run", "--sandbox", "--data-dir", data.toString(),
                "--health-endpoint", "127.0.0.1:0", "examples/assignments.jsonl").run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isZero();
        List<JsonNode> results = jsonLines(worker.stdout()).stream().filter(l -> l.has("completed_at")).toList();
        assertThat(results).hasSize(5).allMatch(r -> r.get("status").asText().equals("success"));
        try (var files = java.nio.file.Files.walk(data)) {
            assertThat(files.filter(java.nio.file.Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void stepLogLinesHaveTheShapeOfTheGoldenLogLine(@TempDir Path data) throws Exception {
        copyExampleData(data);
        WorkerProcess worker = WorkerProcess.builder("run", "--data-dir", data.toString(),
                "--health-endpoint", "127.0.0.1:0", "examples/assignments.jsonl").run(Duration.ofSeconds(60));

        JsonNode golden = ServeIT.golden("log-line.json");
        JsonNode completed = jsonLines(worker.stderr()).stream()
                .filter(l -> l.path("message").asText().equals("Step execution completed")
                        && l.path("fields").path("assignment_id").asText().equals("example-get-1"))
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
        Files.writeString(input, Files.readAllLines(WorkerProcess.home().resolve("examples/assignments.jsonl")).get(0) + "\n");

        WorkerProcess worker = WorkerProcess.builder("run", "-", "--data-dir", data.toString(), "--health-endpoint", "127.0.0.1:0")
                .env(Map.of("WORKER_SANDBOX_MODE", "yes")).stdin(input).run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isZero();
        assertThat(jsonLines(worker.stdout())).hasSize(2);
    }

    @Test
    void aLineThatIsNotUtf8IsDeadLetteredAsInServeNotRunChanged(@TempDir Path data) throws Exception {
        Path input = data.resolve("in.jsonl");
        byte[] good = "{\"version\":\"1\",\"assignment_id\":\"u8-ok\",\"request_id\":\"r\",\"tenant_id\":\"tenant-a\",\"executor\":{\"provider_id\":\"p\"},\"job\":{\"type\":\"fs.put\",\"path\":\"/ok.txt\",\"content\":\"hi\"}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] bad = new String(good, java.nio.charset.StandardCharsets.UTF_8).replace("u8-ok", "u8-bad").replace("/ok.txt", "/bad.txt")
                .replace("\"hi\"", "\"h#i\"").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (int i = 0; i < bad.length; i++) {
            if (bad[i] == '#') {
                bad[i] = (byte) 0xFF;  // not UTF-8
            }
        }
        java.io.ByteArrayOutputStream lines = new java.io.ByteArrayOutputStream();
        lines.write(bad);
        lines.write("\r\n".getBytes());
        lines.write(good);
        lines.write('\n');
        Files.write(input, lines.toByteArray());

        WorkerProcess worker = WorkerProcess.builder("run", "-", "--data-dir", data.resolve("d").toString(), "--health-endpoint", "127.0.0.1:0")
                .stdin(input).run(Duration.ofSeconds(60));

        List<JsonNode> out = jsonLines(worker.stdout());
        assertThat(worker.process().exitValue()).isZero();
        assertThat(out).filteredOn(line -> line.has("payload_base64")).singleElement()
                .satisfies(letter -> assertThat(letter.path("reason").asText()).isEqualTo("unreadable"));
        assertThat(data.resolve("d/tenant-a/bad.txt")).as("not written with a replacement character").doesNotExist();
        assertThat(Files.readString(data.resolve("d/tenant-a/ok.txt"))).isEqualTo("hi");
    }

    @Test
    void anAssignmentWithAnUnknownFieldNestedToTheLimitRunsAndItsDeadLetterIsWritten(@TempDir Path data) throws Exception {
        int depth = io.beamline.worker.contract.Json.MAX_NESTING_DEPTH - 2;  // the assignment's own object and the field's
        String line = "{\"version\":\"1\",\"assignment_id\":\"deep-1\",\"request_id\":\"r\",\"tenant_id\":\"tenant-a\","
                + "\"executor\":{\"provider_id\":\"p\"},\"job\":{\"type\":\"fs.get\",\"path\":\"/missing.txt\"},"
                + "\"router_extra\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
        Path input = Files.writeString(data.resolve("in.jsonl"), line + "\n");

        // a step on a virtual thread writes the dead letter (the payload's tree) after its result:
        // at 1000 levels that overflowed its stack and the run never ended
        WorkerProcess worker = WorkerProcess.builder("run", input.toString(), "--data-dir", data.resolve("d").toString(),
                "--health-endpoint", "127.0.0.1:0").env(Map.of("CP2_ADVANCED_RETRY_ENABLED", "true")).run(Duration.ofSeconds(60));

        List<JsonNode> out = jsonLines(worker.stdout());
        assertThat(worker.process().exitValue()).isZero();
        assertThat(out).anySatisfy(ack -> assertThat(ack.path("status").asText()).isEqualTo("accepted"));
        assertThat(out).anySatisfy(letter -> assertThat(letter.path("reason").asText()).isEqualTo("non_retriable_failure"));
    }

    private static void copyExampleData(Path target) throws java.io.IOException {
        Path source = WorkerProcess.home().resolve("examples/data/tenant-a");
        java.nio.file.Files.createDirectories(target.resolve("tenant-a"));
        for (String file : List.of("welcome.txt", "catalog.sqlite")) {
            java.nio.file.Files.copy(source.resolve(file), target.resolve("tenant-a").resolve(file));
        }
    }

    private static JsonNode result(List<JsonNode> results, String id) {
        return results.stream().filter(r -> r.get("assignment_id").asText().equals(id)).findFirst().orElseThrow();
    }

    private static String statusOf(List<JsonNode> results, String id) {
        return result(results, id).get("status").asText();
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
