package io.beamline.worker.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.support.Assignments;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The direct reader is only a shortcut: whatever it reads must be exactly what the tree-based
 * decoder makes of the same bytes, and whatever it is not sure of it must leave to that decoder.
 * Checked on the golden examples, on hostile messages, and on 20,000 generated variants of
 * every field (wrong types, nulls, blanks, out-of-range numbers, repeated and unknown fields).
 */
class DirectAssignmentReaderTest {
    private final AssignmentDecoder decoder = new AssignmentDecoder();

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"assignment-http.json", "job-fs-get.json", "job-fs-put.json"})
    void goldenAssignmentsAreReadDirectlyAsTheTreeReadsThem(String file) throws IOException {
        byte[] payload = goldenAssignment(file);

        ExecAssignment direct = DirectAssignmentReader.read(payload);

        assertThat(direct).isNotNull().isEqualTo(treeAssignment(payload));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"job-sql.json", "job-human.json"})
    void sqlAndApprovalJobsAreLeftToTheTree(String file) throws IOException {
        byte[] payload = goldenAssignment(file);

        assertThat(DirectAssignmentReader.read(payload)).isNull();
        assertThat(decoder.decode(payload)).isEqualTo(decoder.decodeTree(payload));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\",\"executor\":{\"provider_id\":\"p\"},"
                + "\"job\":{\"type\":\"fs.get\",\"path\":\"/a\"}} {\"trailing\":true}",
        "{\"version\":\"1\",\"version\":\"2\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\","
                + "\"executor\":{\"provider_id\":\"p\"},\"job\":{\"type\":\"fs.get\",\"path\":\"/a\"}}",
        "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"../etc\",\"executor\":{\"provider_id\":\"p\"},"
                + "\"job\":{\"type\":\"fs.get\",\"path\":\"/a\"}}",
        "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\",\"executor\":{\"provider_id\":\"p\"},"
                + "\"job\":{\"type\":\"fs.get\",\"path\":\"/a\",\"timeout_ms\":123456789012345678901234567890}}",
        "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\",\"executor\":{\"provider_id\":\"p\"},"
                + "\"job\":{\"type\":\"http.request\",\"url\":\"file:///etc/passwd\"}}",
        "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\",\"executor\":{\"provider_id\":\"p\"},"
                + "\"job\":{\"type\":\"http.request\",\"url\":\"http://x\",\"headers\":{\"A\":\"1\",\"A\":\"2\"}}}",
        "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\",\"executor\":{\"provider_id\":\"p\"},"
                + "\"job\":{\"type\":\"shell.exec\",\"command\":\"rm -rf /\"}}",
        "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\",\"executor\":{\"provider_id\":\"p\"},"
                + "\"job\":{\"type\":\"fs.get\",\"path\":\"/a\"",
        "[{\"version\":\"1\"}]",
        "not json at all",
    })
    void hostileMessagesAreLeftToTheTree(String message) {
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);

        assertThat(DirectAssignmentReader.read(payload)).isNull();
        assertThat(decoder.decode(payload)).isEqualTo(decoder.decodeTree(payload));
    }

    @Test
    void unknownFieldsAnywhereAreSkippedWhateverTheyHold() {
        String message = "{\"extra\":{\"deep\":[1,{\"a\":[null,true,2.5]}]},\"version\":\"1\",\"assignment_id\":\"a\","
                + "\"request_id\":\"r\",\"tenant_id\":\"t\",\"executor\":{\"provider_id\":\"p\",\"x\":[[]]},"
                + "\"job\":{\"type\":\"fs.blob_get\",\"path\":\"/a\",\"query\":{\"not\":\"for fs\"}},\"z\":null}";
        byte[] payload = message.getBytes(StandardCharsets.UTF_8);

        assertThat(DirectAssignmentReader.read(payload)).isNotNull().isEqualTo(treeAssignment(payload));
    }

    @Test
    void generatedVariantsReadDirectlyAreExactlyWhatTheTreeReads() {
        Random random = new Random(20261126);
        int direct = 0;
        int leftToTree = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] payload = variant(random).getBytes(StandardCharsets.UTF_8);
            ExecAssignment read = DirectAssignmentReader.read(payload);
            Decoded tree = decoder.decodeTree(payload);
            if (read == null) {
                leftToTree++;
                assertThat(decoder.decode(payload)).as(new String(payload, StandardCharsets.UTF_8)).isEqualTo(tree);
            } else {
                direct++;
                assertThat(tree).as(new String(payload, StandardCharsets.UTF_8)).isEqualTo(new Decoded.Valid(read));
            }
        }
        // both ways were really taken, many times each
        assertThat(direct).isGreaterThan(2_000);
        assertThat(leftToTree).isGreaterThan(2_000);
    }

    // ---- generated assignments: a valid base, then each field at random replaced, dropped, repeated

    private static final String[] TYPES = {"http.request", "fs.get", "fs.put", "fs.delete", "fs.blob_get", "fs.blob_put",
        "fs.blob_delete", "sql.query", "human.approval", "shell.exec"};

    private static String variant(Random random) {
        String type = TYPES[random.nextInt(TYPES.length)];
        List<String> job = new ArrayList<>();
        job.add(field(random, "type", quote(type)));
        switch (type) {
            case "http.request" -> {
                job.add(field(random, "method", quote(pick(random, "GET", "post", "Delete", "PUT", "TRACE"))));
                job.add(field(random, "url", quote(pick(random, "https://api.example.com/v1?q=1", "http://127.0.0.1:8080/x", "ftp://x"))));
                if (random.nextBoolean()) {
                    job.add(field(random, "headers", pick(random, "{\"Content-Type\":\"application/json\",\"X-A\":\"\\u00e9\"}",
                            "{}", "{\"A\":1}", "{\"A\":null}")));
                }
                if (random.nextBoolean()) {
                    job.add(field(random, "body", quote("{\\\"input\\\":\\\"test\\\"}")));
                }
                if (random.nextInt(4) == 0) {
                    job.add(field(random, "body_from_path", quote("/in/body.json")));
                }
                if (random.nextInt(4) == 0) {
                    job.add(field(random, "response_to_path", quote("/out/r.bin")));
                }
            }
            case "fs.put", "fs.blob_put" -> {
                job.add(field(random, "path", quote("/data/out.txt")));
                job.add(field(random, "content", quote(pick(random, "hello", "", "aGVsbG8=", "line\\nnext"))));
                if (random.nextBoolean()) {
                    job.add(field(random, "content_type", quote("text/plain")));
                }
                if (random.nextBoolean()) {
                    job.add(field(random, "content_encoding", quote(pick(random, "base64", "utf-8", "gzip"))));
                }
            }
            case "sql.query" -> {
                job.add(field(random, "connection_string", quote("sqlite:test")));
                job.add(field(random, "query", quote("SELECT 1")));
            }
            case "human.approval" -> {
                job.add(field(random, "prompt", quote("ok?")));
                job.add(field(random, "approvers", "[\"ann\"]"));
            }
            default -> {
                job.add(field(random, "path", quote(pick(random, "/a/b.txt", "../../etc/passwd", " "))));
                if (random.nextBoolean()) {
                    job.add(field(random, "content_encoding", quote(pick(random, "base64", "utf-8", "rot13"))));
                }
            }
        }
        if (random.nextBoolean()) {
            job.add(field(random, "timeout_ms", pick(random, "5000", "1", "0", "2592000000", "2592000001", "-5")));
        }
        List<String> top = new ArrayList<>();
        top.add(field(random, "version", quote("1")));
        top.add(field(random, "assignment_id", quote("as-" + random.nextInt(1000))));
        top.add(field(random, "request_id", quote("req-" + random.nextInt(1000))));
        top.add(field(random, "tenant_id", quote(pick(random, "tenant-1", "t.a_b@c-d", "-bad", "with space"))));
        for (String optional : new String[] {"trace_id", "run_id", "flow_id", "step_id"}) {
            if (random.nextBoolean()) {
                top.add(field(random, optional, quote(optional + "-" + random.nextInt(100))));
            }
        }
        if (random.nextBoolean()) {
            top.add(field(random, "priority", pick(random, "0", "7", "-3", "2147483647", "2147483648")));
        }
        if (random.nextBoolean()) {
            top.add(field(random, "resource_pool", quote(pick(random, "cpu", "gpu", "io", "tpu"))));
        }
        if (random.nextBoolean()) {
            top.add(field(random, "retry_config", object(List.of(
                    field(random, "max_attempts", pick(random, "1", "3", "100", "101", "0")),
                    field(random, "base_delay_ms", pick(random, "0", "100", "-1")),
                    field(random, "max_delay_ms", pick(random, "1000", "2592000001")),
                    field(random, "jitter", quote(pick(random, "none", "full", "equal", "wild")))), random)));
        }
        top.add(field(random, "executor", object(List.of(field(random, "provider_id", quote("openai")),
                field(random, "endpoint", quote("https://api.openai.com"))), random)));
        top.add(field(random, "job", object(job, random)));
        return object(top, random);
    }

    /** One "name":value pair; now and then the value is swapped for another JSON type, or the name for another. */
    private static String field(Random random, String name, String value) {
        int roll = random.nextInt(250);
        String shown = switch (roll) {
            case 0 -> "null";
            case 1 -> "42";
            case 2 -> "4.5";
            case 3 -> "true";
            case 4 -> "{\"x\":1}";
            case 5 -> "[\"a\"]";
            case 6 -> quote("");
            case 7 -> quote("  ");
            case 8 -> quote("x".repeat(300));
            case 9 -> "99999999999999999999";
            default -> value;
        };
        String key = roll == 10 ? name + "_unknown" : name;
        return quote(key) + ":" + shown;
    }

    /** An object of the pairs, shuffled; now and then one is dropped, repeated, or an unknown one added. */
    private static String object(List<String> pairs, Random random) {
        List<String> fields = new ArrayList<>(pairs);
        java.util.Collections.shuffle(fields, random);
        int roll = random.nextInt(20);
        if (roll == 0 && !fields.isEmpty()) {
            fields.remove(random.nextInt(fields.size()));
        } else if (roll == 1 && !fields.isEmpty()) {
            fields.add(fields.get(random.nextInt(fields.size())));
        } else if (roll == 2) {
            fields.add(random.nextInt(fields.size() + 1), "\"unknown\":{\"a\":[1,2,{\"b\":null}],\"c\":\"d\"}");
        }
        return "{" + String.join(",", fields) + "}";
    }

    private static String quote(String text) {
        return "\"" + text + "\"";
    }

    /** Mostly the first option (a valid value), else any of them. */
    private static String pick(Random random, String... options) {
        return random.nextInt(4) > 0 ? options[0] : options[random.nextInt(options.length)];
    }

    private ExecAssignment treeAssignment(byte[] payload) {
        Decoded decoded = decoder.decodeTree(payload);
        assertThat(decoded).isInstanceOf(Decoded.Valid.class);
        return ((Decoded.Valid) decoded).assignment();
    }

    /** A golden assignment; a golden job file (job-*.json) inside a valid assignment. */
    private static byte[] goldenAssignment(String file) throws IOException {
        byte[] golden = golden(file);
        return file.startsWith("job-") ? Assignments.bytes(Assignments.withJob(new String(golden, StandardCharsets.UTF_8))) : golden;
    }

    private static byte[] golden(String file) throws IOException {
        try (InputStream in = DirectAssignmentReaderTest.class.getResourceAsStream("/contract/" + file)) {
            assertThat(in).as("test resource contract/" + file).isNotNull();
            return in.readAllBytes();
        }
    }
}
