package io.beamline.worker.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.support.Assignments;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class AssignmentDecoderTest {
    private final AssignmentDecoder decoder = new AssignmentDecoder();

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {"", "   ", "not json", "{", "[1,2,3]", "42", "\"a string\"", "null", "true",
            "{\"assignment_id\":\"a\"} trailing"})
    void messagesThatAreNotAJsonObjectAreUnreadable(String payload) {
        Decoded decoded = decoder.decode(payload.getBytes(StandardCharsets.UTF_8));

        assertThat(decoded).isInstanceOf(Decoded.Unreadable.class);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(delimiter = '|', value = {
            "{\"version\":\"1\",\"request_id\":\"r-1\",\"tenant_id\":\"t\"}|MISSING_REQUIRED_FIELD",
            "{\"assignment_id\":null,\"request_id\":\"r-1\",\"tenant_id\":\"t\"}|MISSING_REQUIRED_FIELD",
            "{\"assignment_id\":7,\"request_id\":\"r-1\",\"tenant_id\":\"t\"}|INVALID_FORMAT",
            "{\"assignment_id\":\"\",\"request_id\":\"r-1\",\"tenant_id\":\"t\"}|MISSING_REQUIRED_FIELD",
            "{\"assignment_id\":\"   \",\"request_id\":\"r-1\",\"tenant_id\":\"t\"}|MISSING_REQUIRED_FIELD",
            "{\"assignment_id\":\"\u00a0\",\"request_id\":\"r-1\",\"tenant_id\":\"t\"}|MISSING_REQUIRED_FIELD",
            "{\"assignment_id\":\" \u2007\u202f\u3000\",\"request_id\":\"r-1\",\"tenant_id\":\"t\"}|MISSING_REQUIRED_FIELD"})
    void anObjectWithoutAUsableIdIsRejectedWithWhatCouldBeRead(String payload, RejectReason reason) {
        Decoded decoded = decoder.decode(payload.getBytes(StandardCharsets.UTF_8));

        assertThat(decoded).isInstanceOf(Decoded.Invalid.class);
        Rejection rejection = ((Decoded.Invalid) decoded).rejection();
        assertThat(rejection.reason()).isEqualTo(reason);
        assertThat(rejection.assignmentId()).isNull();
        assertThat(rejection.requestId()).isEqualTo("r-1");
        assertThat(rejection.tenantId()).isEqualTo("t");
    }

    @Test
    void idsWithALoneSurrogateAreMalformedAndPairedOnesAreFine() {
        ObjectNode lone = Assignments.withJob("{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":[\"u1\"]}");
        lone.put("assignment_id", "\ud800-a1");
        Decoded refused = decoder.decode(Assignments.bytes(lone));
        assertThat(refused).isInstanceOf(Decoded.Invalid.class);
        assertThat(((Decoded.Invalid) refused).rejection().reason()).isEqualTo(RejectReason.INVALID_FORMAT);

        ObjectNode loneRun = Assignments.fsGet("/x");
        loneRun.put("run_id", "r-\udc00");
        assertThat(decoder.decode(Assignments.bytes(loneRun))).isInstanceOf(Decoded.Invalid.class);

        ObjectNode loneApprover = Assignments.withJob("{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":[\"a\ud800@x\"]}");
        assertThat(decoder.decode(Assignments.bytes(loneApprover))).as("the listed approver could never decide")
                .isInstanceOf(Decoded.Invalid.class);
        ObjectNode lonePrompt = Assignments.withJob("{\"type\":\"human.approval\",\"prompt\":\"p\udc00q\",\"approvers\":[\"u\"]}");
        assertThat(decoder.decode(Assignments.bytes(lonePrompt))).isInstanceOf(Decoded.Invalid.class);

        ObjectNode paired = Assignments.fsGet("/x");
        paired.put("assignment_id", "a-\ud83d\ude00");
        assertThat(decoder.decode(Assignments.bytes(paired))).isInstanceOf(Decoded.Valid.class);
    }

    @Test
    void jobTextWithALoneSurrogateIsRefusedBeforeItCouldBeSentOnAsAQuestionMark() {
        String[] jobs = {
                "{\"type\":\"fs.get\",\"path\":\"n/s\ud800.txt\"}",
                "{\"type\":\"fs.put\",\"path\":\"a.txt\",\"content\":\"a\ud800b\"}",
                "{\"type\":\"http.request\",\"method\":\"POST\",\"url\":\"http://h/\",\"body\":\"a\udc00b\"}",
                "{\"type\":\"http.request\",\"url\":\"http://h/\",\"headers\":{\"X-U\":\"a\ud800\"}}",
                "{\"type\":\"http.request\",\"url\":\"http://h/\",\"response_to_path\":\"r\ud800\"}",
                "{\"type\":\"sql.query\",\"connection_string\":\"sqlite://s\ud800.sqlite\",\"query\":\"SELECT 1\"}",
                "{\"type\":\"sql.query\",\"connection_string\":\"sqlite://s.sqlite\",\"query\":\"SELECT ?\",\"parameters\":[\"a\ud800b\"]}",
        };
        for (String job : jobs) {
            Decoded decoded = decoder.decode(Assignments.bytes(Assignments.withJob(job)));
            assertThat(decoded).as(job).isInstanceOf(Decoded.Invalid.class);
            Rejection rejection = ((Decoded.Invalid) decoded).rejection();
            assertThat(rejection.reason()).as(job).isEqualTo(RejectReason.INVALID_FORMAT);
            assertThat(rejection.message()).as(job).contains("well-formed Unicode");
        }
        String paired = "{\"type\":\"fs.put\",\"path\":\"a.txt\",\"content\":\"a\ud83d\ude00b\"}";
        assertThat(decoder.decode(Assignments.bytes(Assignments.withJob(paired)))).isInstanceOf(Decoded.Valid.class);
    }

    @Test
    void malformedUtf8InsideAStringIsUnreadableNotDecodedLeniently() {
        byte[] valid = Assignments.bytes(Assignments.fsGet("/a-b"));
        String text = new String(valid, StandardCharsets.UTF_8);
        int dash = text.indexOf("a-b") + 1;
        byte[] overlongSlash = new byte[valid.length + 1];  // "/" as the overlong two-byte form C0 AF
        System.arraycopy(valid, 0, overlongSlash, 0, dash);
        overlongSlash[dash] = (byte) 0xC0;
        overlongSlash[dash + 1] = (byte) 0xAF;
        System.arraycopy(valid, dash + 1, overlongSlash, dash + 2, valid.length - dash - 1);

        assertThat(decoder.decode(overlongSlash)).isInstanceOf(Decoded.Unreadable.class);
        assertThat(decoder.decode(valid)).isInstanceOf(Decoded.Valid.class);
    }

    @Test
    void binaryGarbageIsUnreadable() {
        byte[] garbage = new byte[1024 * 1024];
        new java.util.Random(7).nextBytes(garbage);

        assertThat(decoder.decode(garbage)).isInstanceOf(Decoded.Unreadable.class);
    }

    @Test
    void anUnknownFieldNestedDeeplyIsIgnoredLikeAnyOther() {
        String deep = "[".repeat(Json.MAX_NESTING_DEPTH - 2) + "]".repeat(Json.MAX_NESTING_DEPTH - 2);
        byte[] payload = Assignments.bytes(Assignments.withJob("{\"type\":\"fs.get\",\"path\":\"/a\",\"router_extra\":" + deep + "}"));

        assertThat(decoder.decode(payload)).isInstanceOf(Decoded.Valid.class);
    }

    @Test
    void deeplyNestedJsonIsRefusedWithoutExhaustingTheStack() {
        String deep = "{\"assignment_id\":\"x\",\"job\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";

        assertThat(decoder.decode(deep.getBytes(StandardCharsets.UTF_8))).isInstanceOf(Decoded.Unreadable.class);
    }

    @Test
    void anOverlongAssignmentIdIsRejectedWithoutEchoingIt() {
        ObjectNode assignment = Assignments.fsGet("/a");
        assignment.put("assignment_id", "x".repeat(10_000));

        Decoded decoded = decoder.decode(Assignments.bytes(assignment));

        assertThat(decoded).isInstanceOf(Decoded.Invalid.class);
        assertThat(((Decoded.Invalid) decoded).rejection().reason()).isEqualTo(RejectReason.INVALID_FORMAT);
        assertThat(((Decoded.Invalid) decoded).rejection().assignmentId()).isNull();
    }

    @ParameterizedTest(name = "missing {0}")
    @ValueSource(strings = {"version", "request_id", "tenant_id", "executor", "executor.provider_id", "job", "job.type", "job.path"})
    void eachMissingRequiredFieldIsRejectedAsMissing(String field) {
        ObjectNode assignment = Assignments.fsGet("/a");
        remove(assignment, field);

        Rejection rejection = rejected(assignment);

        assertThat(rejection.reason()).isEqualTo(RejectReason.MISSING_REQUIRED_FIELD);
        assertThat(rejection.reason().errorCode().code()).isEqualTo(1002);
        assertThat(rejection.message()).contains(field.substring(field.lastIndexOf('.') + 1));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "version|1",
        "request_id|123",
        "tenant_id|{}",
        "executor|\"openai\"",
        "job|[]",
        "priority|\"high\"",
        "priority|1.5",
        "trace_id|false",
        "retry_config|3",
        "resource_pool|7",
    })
    void fieldsOfTheWrongTypeAreRejectedAsInvalidFormat(String field, String json) throws Exception {
        ObjectNode assignment = Assignments.fsGet("/a");
        assignment.set(field, Json.mapper().readTree(json));

        Rejection rejection = rejected(assignment);

        assertThat(rejection.reason()).isEqualTo(RejectReason.INVALID_FORMAT);
        assertThat(rejection.reason().errorCode().code()).isEqualTo(1003);
    }

    @ParameterizedTest
    @ValueSource(strings = {"2", "1.0", "v1", ""})
    void wrongVersionIsRejected(String version) {
        ObjectNode assignment = Assignments.fsGet("/a");
        assignment.put("version", version);

        assertThat(rejected(assignment).reason()).isIn(RejectReason.INVALID_INPUT, RejectReason.MISSING_REQUIRED_FIELD);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpu.render", "HTTP.REQUEST", "fs.chmod", "sql.exec", ""})
    void unknownJobTypesAreRejectedAsUnsupportedBlock(String type) {
        ObjectNode assignment = Assignments.withJob("{\"type\":\"" + type + "\"}");

        Rejection rejection = rejected(assignment);

        if (!type.isEmpty()) {
            assertThat(rejection.reason()).isEqualTo(RejectReason.UNSUPPORTED_BLOCK);
            assertThat(rejection.reason().errorCode()).isEqualTo(ErrorCode.INVALID_INPUT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../etc", "a/b", ".hidden", "tenant with spaces", "x\u0000y"})
    void tenantIdsThatCannotNameADirectoryAreRejected(String tenant) {
        ObjectNode assignment = Assignments.fsGet("/a");
        assignment.put("tenant_id", tenant);

        assertThat(rejected(assignment).reason()).isEqualTo(RejectReason.INVALID_FORMAT);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "tenant-1", "t.e_s@t-9", "Z", "0abc"})
    void tenantIdsOfTheAllowedCharactersAreAccepted(String tenant) {
        assertThat(AssignmentDecoder.validTenantId(tenant)).isTrue();
        assertThat(AssignmentDecoder.validTenantId(tenant.repeat(128).substring(0, Math.min(128, tenant.length() * 128)))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "-a", "_a", "@a", ".a", "a b", "a/b", "é", "a\u00e9", "a\u0000", "a:b"})
    void tenantIdsWithOtherCharactersOrAnotherStartAreRefused(String tenant) {
        assertThat(AssignmentDecoder.validTenantId(tenant)).isFalse();
    }

    @Test
    void tenantIdsLongerThan128CharactersAreRefused() {
        assertThat(AssignmentDecoder.validTenantId("a".repeat(128))).isTrue();
        assertThat(AssignmentDecoder.validTenantId("a".repeat(129))).isFalse();

        ObjectNode assignment = Assignments.fsGet("/a");
        assignment.put("tenant_id", "a".repeat(129));
        assertThat(rejected(assignment).reason()).isEqualTo(RejectReason.INVALID_FORMAT);
    }

    @Test
    void theTenantIdCheckAgreesWithItsRegularExpressionOnRandomStrings() {
        java.util.regex.Pattern reference = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,127}");
        java.util.Random random = new java.util.Random(42);
        String alphabet = "aZ09._@-/ \u00e9:\u0000";
        for (int n = 0; n < 20_000; n++) {
            StringBuilder id = new StringBuilder();
            int length = random.nextInt(135);
            for (int i = 0; i < length; i++) {
                id.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String candidate = id.toString();
            assertThat(AssignmentDecoder.validTenantId(candidate)).as(candidate).isEqualTo(reference.matcher(candidate).matches());
        }
    }

    @Test
    void rejectionCarriesTheCorrelationIdsThatCouldBeRead() {
        ObjectNode assignment = Assignments.fsGet("/a");
        assignment.put("version", "9");

        Rejection rejection = rejected(assignment);

        assertThat(rejection.assignmentId()).isEqualTo(assignment.get("assignment_id").asText());
        assertThat(rejection.requestId()).isEqualTo(assignment.get("request_id").asText());
        assertThat(rejection.tenantId()).isEqualTo("tenant-test");
        assertThat(rejection.traceId()).isEqualTo(assignment.get("trace_id").asText());
    }

    @Test
    void unknownFieldsAreIgnored() {
        ObjectNode assignment = Assignments.fsGet("/a");
        assignment.put("some_future_field", 1);
        ((ObjectNode) assignment.get("job")).putObject("extension").put("x", true);

        assertThat(decoder.decode(Assignments.bytes(assignment))).isInstanceOf(Decoded.Valid.class);
    }

    @Test
    void optionalFieldsAreDecoded() {
        ObjectNode assignment = Assignments.withJob("{\"type\":\"fs.blob_put\",\"path\":\"x\",\"content\":\"aGk=\",\"content_encoding\":\"base64\"}");
        assignment.put("priority", 5).put("resource_pool", "cpu").put("run_id", "r").put("flow_id", "f").put("step_id", "s");
        assignment.putObject("retry_config").put("max_attempts", 4).put("base_delay_ms", 50).put("jitter", "full");

        ExecAssignment decoded = ((Decoded.Valid) decoder.decode(Assignments.bytes(assignment))).assignment();

        assertThat(decoded.priorityOrZero()).isEqualTo(5);
        assertThat(decoded.pool()).isEqualTo(ResourcePool.CPU);
        assertThat(decoded.job().blockType()).isEqualTo(Job.FS_PUT);
        assertThat(decoded.job().type()).isEqualTo("fs.blob_put");
        assertThat(((FsPutJob) decoded.job()).isBase64()).isTrue();
        assertThat(decoded.retry().maxAttempts()).isEqualTo(4);
        assertThat(decoded.retry().jitter()).isEqualTo("full");
        assertThat(decoded.runId()).isEqualTo("r");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"http.request\",\"url\":\"ftp://x\"}",
        "{\"type\":\"http.request\",\"url\":\"http://x\",\"method\":\"BREW\"}",
        "{\"type\":\"http.request\",\"url\":\"http://x\",\"headers\":{\"a\":1}}",
        "{\"type\":\"http.request\",\"url\":\"http://x\",\"timeout_ms\":-5}",
        "{\"type\":\"http.request\",\"url\":\"http://x\",\"body\":\"a\",\"body_from_path\":\"b\"}",
        "{\"type\":\"fs.put\",\"path\":\"x\"}",
        "{\"type\":\"fs.put\",\"path\":\"x\",\"content\":\"y\",\"content_encoding\":\"rot13\"}",
        "{\"type\":\"sql.query\",\"connection_string\":\"sqlite://a\",\"query\":\"select 1\",\"parameters\":[[1]]}",
        "{\"type\":\"sql.query\",\"connection_string\":\"sqlite://a\"}",
        "{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":[]}",
        "{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":[\"a\"],\"required_approvals\":2}",
        "{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":[\"a\"],\"on_timeout\":\"explode\"}",
    })
    void invalidJobsAreRejected(String job) {
        assertThat(decoder.decode(Assignments.bytes(Assignments.withJob(job)))).isInstanceOf(Decoded.Invalid.class);
    }

    @Test
    void anIntegerBeyondALongIsOutOfRangeNotOfTheWrongType() {
        ObjectNode priority = Assignments.withJob("{\"type\":\"fs.get\",\"path\":\"/a\"}");
        byte[] bigPriority = new String(Assignments.bytes(priority), StandardCharsets.UTF_8)
                .replaceFirst("^\\{", "{\"priority\":9223372036854775808,").getBytes(StandardCharsets.UTF_8);
        byte[] bigTimeout = Assignments.bytes(Assignments.withJob(
                "{\"type\":\"fs.get\",\"path\":\"/a\",\"timeout_ms\":100000000000000000000}"));

        for (byte[] payload : List.of(bigPriority, bigTimeout)) {
            Decoded decoded = decoder.decode(payload);
            assertThat(decoded).isInstanceOf(Decoded.Invalid.class);
            assertThat(((Decoded.Invalid) decoded).rejection().reason()).isEqualTo(RejectReason.INVALID_INPUT);
            assertThat(decoded).isEqualTo(decoder.decodeTree(payload));
        }
    }

    @Test
    void urlSchemesAreCaseInsensitive() {
        for (String url : List.of("HTTPS://example.com/a", "Http://example.com/a")) {
            assertThat(decoder.decode(Assignments.bytes(Assignments.withJob("{\"type\":\"http.request\",\"url\":\"" + url + "\"}"))))
                    .as(url).isInstanceOf(Decoded.Valid.class);
        }
        assertThat(rejected(Assignments.withJob("{\"type\":\"http.request\",\"url\":\"FILE:///etc/passwd\"}")).reason())
                .isEqualTo(RejectReason.INVALID_FORMAT);
    }

    @Test
    void anApprovalWhoseNotificationCouldNotBeSentIsRejected() {
        String longPrompt = "{\"type\":\"human.approval\",\"prompt\":\"" + "p".repeat(AssignmentDecoder.MAX_PROMPT_CHARS + 1)
                + "\",\"approvers\":[\"a\"]}";
        String manyApprovers = "{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":["
                + String.join(",", java.util.Collections.nCopies(AssignmentDecoder.MAX_APPROVERS + 1, "\"a\"")) + "]}";
        String fits = "{\"type\":\"human.approval\",\"prompt\":\"" + "p".repeat(AssignmentDecoder.MAX_PROMPT_CHARS)
                + "\",\"approvers\":[\"a\"]}";

        assertThat(rejected(Assignments.withJob(longPrompt)).reason()).isEqualTo(RejectReason.INVALID_INPUT);
        assertThat(rejected(Assignments.withJob(manyApprovers)).reason()).isEqualTo(RejectReason.INVALID_INPUT);
        String longName = "{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":[\"a\",\""
                + "x".repeat(AssignmentDecoder.MAX_APPROVER_CHARS + 1) + "\"]}";
        assertThat(rejected(Assignments.withJob(longName)).reason()).isEqualTo(RejectReason.INVALID_INPUT);
        assertThat(rejected(Assignments.withJob("{\"type\":\"human.approval\",\"prompt\":\"ok?\",\"approvers\":[\" \"]}")).message())
                .as("nobody could ever decide").contains("not blank");
        assertThat(decoder.decode(Assignments.bytes(Assignments.withJob(fits)))).isInstanceOf(Decoded.Valid.class);
    }

    private Rejection rejected(ObjectNode assignment) {
        Decoded decoded = decoder.decode(Assignments.bytes(assignment));
        assertThat(decoded).isInstanceOf(Decoded.Invalid.class);
        return ((Decoded.Invalid) decoded).rejection();
    }

    private static void remove(ObjectNode root, String dottedField) {
        String[] parts = dottedField.split("\\.");
        ObjectNode parent = root;
        for (String part : Arrays.copyOf(parts, parts.length - 1)) {
            parent = (ObjectNode) parent.get(part);
        }
        parent.remove(parts[parts.length - 1]);
    }
}
