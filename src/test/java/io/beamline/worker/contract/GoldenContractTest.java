package io.beamline.worker.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The golden examples of the source documents (copied from shared/contract into the test
 * resources) are the oracle for field names, nesting and types: each parses into our records
 * and serialises back to the same JSON tree.
 */
class GoldenContractTest {

    @ParameterizedTest(name = "{0} round-trips through {1}")
    @CsvSource({
        "ack-accepted.json, io.beamline.worker.contract.ExecAssignmentAck",
        "result-success.json, io.beamline.worker.contract.ExecResult",
        "result-error.json, io.beamline.worker.contract.ExecResult",
        "result-fs.json, io.beamline.worker.contract.FsOutput",
        "result-sql.json, io.beamline.worker.contract.SqlOutput",
        "result-human.json, io.beamline.worker.contract.ApprovalOutput",
    })
    void messageRoundTripsFieldForField(String file, Class<?> type) throws IOException {
        JsonNode golden = golden(file);

        Object parsed = Json.mapper().treeToValue(golden, type);

        assertThat(reparsed(parsed)).isEqualTo(golden);
    }

    @Test
    void goldenAssignmentDecodesAndRoundTrips() throws IOException {
        JsonNode golden = golden("assignment-http.json");

        Decoded decoded = new AssignmentDecoder().decode(Json.write(golden));

        assertThat(decoded).isInstanceOf(Decoded.Valid.class);
        ExecAssignment assignment = ((Decoded.Valid) decoded).assignment();
        assertThat(assignment.job()).isInstanceOf(HttpRequestJob.class);
        assertThat(assignment.pool()).isEqualTo(ResourcePool.IO);
        assertThat(reparsed(assignment)).isEqualTo(golden);
    }

    @ParameterizedTest(name = "{0} decodes as a {1}")
    @CsvSource({
        "job-fs-get.json, io.beamline.worker.contract.FsGetJob",
        "job-fs-put.json, io.beamline.worker.contract.FsPutJob",
        "job-human.json, io.beamline.worker.contract.HumanApprovalJob",
        "job-sql.json, io.beamline.worker.contract.SqlQueryJob",
    })
    void goldenJobsDecodeInsideAnAssignmentAndRoundTrip(String file, Class<?> type) throws IOException {
        JsonNode job = golden(file);
        ObjectNode assignment = (ObjectNode) golden("assignment-http.json");
        assignment.set("job", job);

        Decoded decoded = new AssignmentDecoder().decode(Json.write(assignment));

        assertThat(decoded).isInstanceOf(Decoded.Valid.class);
        Job decodedJob = ((Decoded.Valid) decoded).assignment().job();
        assertThat(decodedJob).isInstanceOf(type);
        assertThat(reparsed(decodedJob)).isEqualTo(job);
    }

    @Test
    void acceptedAckForTheGoldenAssignmentHasTheGoldenFieldSet() throws IOException {
        ExecAssignment assignment = ((Decoded.Valid) new AssignmentDecoder().decode(Json.write(golden("assignment-http.json")))).assignment();

        JsonNode ack = reparsed(ExecAssignmentAck.accepted(assignment, 1640995200000L));

        assertThat(ack).isEqualTo(golden("ack-accepted.json"));
    }

    @Test
    void successResultCarriesEveryGoldenFieldPlusRetriesUsed() throws IOException {
        ExecAssignment assignment = ((Decoded.Valid) new AssignmentDecoder().decode(Json.write(golden("assignment-http.json")))).assignment();
        var output = HttpOutput.inline(200, "{\"output\":\"processed\"}", java.util.Map.of("Content-Type", "application/json"), 150);

        JsonNode result = reparsed(
                ExecResult.of(assignment, new StepResult.Succeeded(output, 150), 0, 150, 1640995200150L));

        JsonNode golden = golden("result-success.json");
        golden.fieldNames().forEachRemaining(name -> assertThat(result.has(name)).as(name).isTrue());
        assertThat(result.get("metadata").get("block_type").asText()).isEqualTo("http.request");
        assertThat(result.get("retries_used").isInt()).isTrue();
        assertThat(result.get("completed_at").isIntegralNumber()).isTrue();
    }

    @Test
    void errorCodesTravelAsNumbers() {
        JsonNode error = Json.mapper().valueToTree(ExecError.of(ErrorCode.NETWORK_ERROR, "Network error"));

        assertThat(error.get("code").isInt()).isTrue();
        assertThat(error.get("code").intValue()).isEqualTo(3001);
        assertThat(error.get("retryable").booleanValue()).isTrue();
    }

    @Test
    void handWrittenWritersWriteTheSameBytesAsJacksonsRecordSerialization() throws IOException {
        ExecAssignment assignment = goldenAssignment();
        List<Object> messages = new java.util.ArrayList<>(List.of(
                ExecAssignmentAck.accepted(assignment, 1640995200000L),
                ExecAssignmentAck.rejected(Rejection.of(assignment, RejectReason.QUEUE_FULL, "io queue is full").withRetryAfter(250), 1L),
                ExecAssignmentAck.rejected(new Rejection("a", null, null, null, RejectReason.INVALID_FORMAT, "bad", null), 1L),
                ExecResult.of(assignment, new StepResult.Succeeded(FsOutput.of("/a/b.txt", 12, "text/plain", "hello \"x\"\n\\"), 3), 1, 3, 1640995200150L),
                ExecResult.of(assignment, new StepResult.Succeeded(FsOutput.of("/a/b.txt", 12, "text/plain", "héllo"), 3), 0, 3, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(new FsOutput("/d", null, null, null, null, null, true), 1), 0, 1, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(HttpOutput.inline(200, "{\"ok\":true}", java.util.Map.of("Content-Type", "application/json"), 4), 4), 0, 4, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(new HttpOutput(503, null, java.util.Map.of(), null,
                        "/out/body.bin", 1234L, "ab12", null), 4), 0, 4, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(HttpOutput.inlineBase64(200, "AAH/", java.util.Map.of(), 4), 4), 0, 4, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(new HttpOutput(null, "", null, 0L, null, null, null, null), 4), 0, 4, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(HttpOutput.inline(200, "x", headers(
                        "Content-Type", "text/plain", "X-Empty", "", "X-Quote", "a \"b\" \\ c", "Set-Cookie", "k=v; Path=/"), 1), 1), 0, 1, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(HttpOutput.inline(200, "x", headers(
                        "X-Null", null, "Content-Type", "text/plain"), 1), 1), 0, 1, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(HttpOutput.inline(200, "x", headers(
                        "X-Unicode", "héllo €", "X-Ünïcode-Name", "v"), 1), 1), 0, 1, 5L),
                ExecResult.of(assignment, new StepResult.Succeeded(SqlOutput.of(List.<java.util.Map<String, Object>>of(java.util.Map.of("n", 1))), 2), 0, 2, 5L),
                ExecResult.of(assignment, new StepResult.Failed(ExecError.of(ErrorCode.NETWORK_ERROR, "Network error"), 7), 2, 7, 1640995200150L),
                ExecResult.of(assignment, StepResult.timedOut("step exceeded its budget", 9), 0, 9, 5L),
                new FsOutput("/p", 1L, "text/plain", "c", "base64", "abc", true),
                new FsOutput("/p", null, null, null, null, null, null)));
        for (long time : new long[] {0, 9, 10, 99, 100, -1, -10, 1640995200000L, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1}) {
            messages.add(ExecAssignmentAck.accepted(assignment, time));  // numbers are written digit by digit
        }
        java.util.Random random = new java.util.Random(11);
        String alphabet = "aZ09 -_./:\"\\\b\t\n\f\r\u0000\u0001\u001f\u007fé€😀{}[],";
        String ascii = alphabet.replaceAll("[^\\x00-\\x7f]", "");
        for (int n = 0; n < 1000; n++) {
            // even n: ASCII only, written by WireBytes itself (escapes included); odd n: any
            // character, where WireBytes hands the message to Jackson
            String chars = n % 2 == 0 ? ascii : alphabet;
            String id = randomString(random, chars, 40);
            ExecAssignment fuzzed = assignment.withTraceId(randomString(random, chars, 20));
            ExecAssignmentAck ack = ExecAssignmentAck.rejected(new Rejection(id, randomString(random, chars, 10), null, "t",
                    RejectReason.INVALID_INPUT, randomString(random, chars, 60), null), n);
            ExecResult result = ExecResult.of(fuzzed, new StepResult.Succeeded(FsOutput.of(id, n, "text/plain",
                    randomString(random, chars, 80)), n), n % 3, n, n);
            java.util.Map<String, String> randomHeaders = new java.util.LinkedHashMap<>();
            for (int h = random.nextInt(4); h > 0; h--) {
                randomHeaders.put(randomString(random, chars, 12), randomString(random, chars, 30));
            }
            ExecResult http = ExecResult.of(fuzzed, new StepResult.Succeeded(new HttpOutput(200 + n % 300,
                    n % 5 == 0 ? null : randomString(random, chars, 80), n % 7 == 0 ? null : randomHeaders, (long) n,
                    n % 5 == 0 ? randomString(random, chars, 20) : null, n % 5 == 0 ? (long) n : null, null,
                    n % 3 == 0 ? "base64" : null), n), 0, n, n);
            if (n % 2 == 0) {
                assertThat(WireBytes.ack(ack)).as("written directly: %s", ack).isNotNull();
                assertThat(WireBytes.result(result)).as("written directly: %s", result).isNotNull();
                assertThat(WireBytes.result(http)).as("written directly: %s", http).isNotNull();
            }
            messages.add(ack);
            messages.add(result);
            messages.add(http);
        }
        // id-like strings, mostly without escapes: the one-copy path for strings of 16 or more
        // characters, with the characters that must leave it ('?' as lone surrogates become it)
        String idLike = "abcdefXYZ0123456789-_./:@";
        String[] rare = {"?", "\"", "\\", "\n", "\u007f", "é", "\uD800", "\uDC00", "😀"};
        for (int n = 0; n < 1000; n++) {
            String id = randomString(random, idLike, 48) + (n % 3 == 0 ? rare[n % rare.length] : "") + randomString(random, idLike, 8);
            ExecAssignment fuzzed = assignment.withTraceId(randomString(random, idLike, 40));
            ExecResult result = ExecResult.of(fuzzed, new StepResult.Succeeded(FsOutput.of(id, n, "text/plain",
                    "content of " + id), n), 0, n, n);
            if (n % 3 != 0) {
                assertThat(WireBytes.result(result)).as("written directly: %s", result).isNotNull();
            }
            messages.add(ExecAssignmentAck.rejected(new Rejection(id, id + "-request", null, "t",
                    RejectReason.INVALID_INPUT, "message about " + id, null), n));
            messages.add(result);
        }

        for (Object message : messages) {
            // bytes against bytes: Jackson's byte output escapes surrogate pairs, its String output does not
            String expected = new String(RECORDS.writeValueAsBytes(message), StandardCharsets.UTF_8);
            assertThat(new String(Json.write(message), StandardCharsets.UTF_8)).as("direct: %s", message).isEqualTo(expected);
            assertThat(new String(Json.mapper().writeValueAsBytes(message), StandardCharsets.UTF_8))
                    .as("Jackson writers: %s", message).isEqualTo(expected);
        }
    }

    /** An ordered map of header names and values (nulls allowed, as a hostile block could make). */
    private static java.util.Map<String, String> headers(String... namesAndValues) {
        java.util.Map<String, String> headers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            headers.put(namesAndValues[i], namesAndValues[i + 1]);
        }
        return headers;
    }

    /** Jackson's own serialization of our records, without the hand-written writers. */
    private static final ObjectMapper RECORDS = JsonMapper.builder().serializationInclusion(JsonInclude.Include.NON_NULL).build();

    private static ExecAssignment goldenAssignment() throws IOException {
        return ((Decoded.Valid) new AssignmentDecoder().decode(Json.write(golden("assignment-http.json")))).assignment();
    }

    private static String randomString(java.util.Random random, String alphabet, int maxLength) {
        int[] codePoints = alphabet.codePoints().toArray();
        StringBuilder text = new StringBuilder();
        int length = random.nextInt(maxLength + 1);
        for (int i = 0; i < length; i++) {
            text.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return text.toString();
    }

    /** What a receiver parses from our bytes (so numbers compare by value, not by Java type). */
    static JsonNode reparsed(Object value) throws IOException {
        return Json.mapper().readTree(Json.write(value));
    }

    static JsonNode golden(String file) throws IOException {
        try (InputStream in = GoldenContractTest.class.getResourceAsStream("/contract/" + file)) {
            assertThat(in).as("test resource contract/" + file).isNotNull();
            return Json.mapper().readTree(in);
        }
    }
}
