package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonScanTest {
    private static final byte[] PREFIX = bytes("lg-abc123-m-");

    @Test
    void readsTheAssignmentIdAndStatusOfAWorkerAck() {
        byte[] ack = bytes("{\"assignment_id\":\"as-1\",\"status\":\"accepted\",\"message\":\"Assignment accepted\"}");

        assertThat(JsonScan.string(ack, JsonScan.ASSIGNMENT_ID)).isEqualTo("as-1");
        assertThat(JsonScan.string(ack, JsonScan.STATUS)).isEqualTo("accepted");
    }

    @Test
    void toleratesWhitespaceAroundTheColon() {
        byte[] pretty = bytes("{\n  \"assignment_id\" :\t \"as-2\"\n}");

        assertThat(JsonScan.string(pretty, JsonScan.ASSIGNMENT_ID)).isEqualTo("as-2");
    }

    @Test
    void skipsTheKeyNameWhenItFirstOccursAsAValue() {
        byte[] message = bytes("{\"message\":\"status\",\"status\":\"rejected\"}");

        assertThat(JsonScan.string(message, JsonScan.STATUS)).isEqualTo("rejected");
    }

    @Test
    void anEscapedQuoteDoesNotEndTheValue() {
        byte[] message = bytes("{\"assignment_id\":\"a\\\"b\",\"status\":\"x\"}");

        assertThat(JsonScan.string(message, JsonScan.ASSIGNMENT_ID)).isEqualTo("a\\\"b");
    }

    @Test
    void missingTruncatedAndNonStringValuesReadAsAbsent() {
        assertThat(JsonScan.stringRange(bytes("{\"status\":\"ok\"}"), JsonScan.ASSIGNMENT_ID)).isEqualTo(-1);
        assertThat(JsonScan.stringRange(bytes("{\"assignment_id\":\"never-closed"), JsonScan.ASSIGNMENT_ID)).isEqualTo(-1);
        assertThat(JsonScan.stringRange(bytes("{\"assignment_id\":42}"), JsonScan.ASSIGNMENT_ID)).isEqualTo(-1);
        assertThat(JsonScan.stringRange(bytes("{\"assignment_id\""), JsonScan.ASSIGNMENT_ID)).isEqualTo(-1);
        assertThat(JsonScan.stringRange(new byte[0], JsonScan.ASSIGNMENT_ID)).isEqualTo(-1);
        assertThat(JsonScan.string(bytes("not json at all"), JsonScan.STATUS)).isEmpty();
    }

    @Test
    void readsTheErrorCodeOfAFailedResult() {
        byte[] result = bytes("{\"assignment_id\":\"x\",\"status\":\"error\",\"error\":{\"code\":2003,\"message\":\"denied\"}}");

        assertThat(JsonScan.number(result, JsonScan.CODE)).isEqualTo(2003);
        assertThat(JsonScan.number(bytes("{\"code\":\"2003\"}"), JsonScan.CODE)).isEqualTo(-1);
    }

    @Test
    void sequenceIsTheNumberAfterThisRunsPrefix() {
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-abc123-m-0\"}"), PREFIX)).isZero();
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-abc123-m-1234567\"}"), PREFIX)).isEqualTo(1_234_567);
    }

    @Test
    void idsOfAnotherRunOrWithTrailingTextHaveNoSequence() {
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-zzz999-m-5\"}"), PREFIX)).isEqualTo(-1);
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-abc123-w-5\"}"), PREFIX)).isEqualTo(-1);
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-abc123-m-5x\"}"), PREFIX)).isEqualTo(-1);
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-abc123-m-\"}"), PREFIX)).isEqualTo(-1);
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-abc123-m-99999999999999999999\"}"), PREFIX)).isEqualTo(-1);
        assertThat(JsonScan.sequence(bytes("{\"assignment_id\":\"lg-\"}"), PREFIX)).isEqualTo(-1);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
