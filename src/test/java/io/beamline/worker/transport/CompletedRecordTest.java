package io.beamline.worker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CompletedRecordTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aRecordWithItsResultReadsBackTheResultsBytesExactlyAsWritten() throws IOException {
        // spacing, escapes, number forms and non-ASCII text that a parse-and-write would change
        byte[] result = utf8("{\"assignment_id\":\"a-1\", \"output\":{\"n\":1.0E10,\"text\":\"\\u00e9 é \\\"q\\\"\",\"list\":[1,{\"x\":null}]}}");
        byte[] bytes = new CompletedRecord("success", 1700000000000L, 42, result).toBytes();

        CompletedRecord read = CompletedRecord.read(bytes);

        assertThat(read.status()).isEqualTo("success");
        assertThat(read.completedAt()).isEqualTo(1700000000000L);
        assertThat(read.sequence()).isEqualTo(42);
        assertThat(read.result()).isEqualTo(result);
        assertThat(Json.readTree(bytes).path("result").path("output").path("list").get(1).has("x")).as("valid JSON").isTrue();
    }

    @Test
    void withoutItsResultTheRecordKeepsTheFacts() throws IOException {
        CompletedRecord record = new CompletedRecord("error", null, 7, utf8("{}")).withoutResult();

        assertThat(new String(record.toBytes(), StandardCharsets.US_ASCII)).isEqualTo("{\"status\":\"error\",\"sequence\":7}");
        CompletedRecord read = CompletedRecord.read(record.toBytes());
        assertThat(read.result()).isNull();
        assertThat(read.completedAt()).isNull();
        assertThat(read.sequence()).isEqualTo(7);
    }

    @Test
    void recordsOfEarlierVersionsAndUnknownFieldsAreRead() throws IOException {
        CompletedRecord old = CompletedRecord.read(utf8("{\"status\":\"success\",\"completedAt\":5}"));
        assertThat(old.sequence()).isEqualTo(-1);
        assertThat(old.result()).isNull();

        CompletedRecord later = CompletedRecord.read(utf8("{\"extra\":{\"deep\":[1,2]},\"status\":\"success\",\"sequence\":3,\"result\":\"not an object\"}"));
        assertThat(later.sequence()).isEqualTo(3);
        assertThat(later.result()).as("only an object is a result").isNull();
    }

    @Test
    void aValueThatIsNoRecordIsAnError() {
        assertThatThrownBy(() -> CompletedRecord.read(utf8("[1,2]"))).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> CompletedRecord.read(utf8("{\"status\":"))).isInstanceOf(IOException.class);
    }

    @Test
    void keysAreTokensWhateverTheId() {
        assertThat(CompletedRecord.key("a.b*c >\r\né")).matches("[A-Za-z0-9_-]+");
        assertThat(CompletedRecord.subject("caf_completed", "x")).isEqualTo("$KV.caf_completed.eA");
    }
}
