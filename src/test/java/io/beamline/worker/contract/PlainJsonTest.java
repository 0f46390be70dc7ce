package io.beamline.worker.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link PlainJson} under {@link DirectAssignmentReader}: whatever it reads must be what Jackson's
 * tree reads, and JSON that Jackson refuses or might read differently must go to the tree. The
 * mutation tests hold it to that over tens of thousands of broken and odd documents.
 */
class PlainJsonTest {
    private static final String BASE = "{\"version\":\"1\",\"assignment_id\":\"as-1\",\"request_id\":\"req-1\","
            + "\"tenant_id\":\"tenant-1\",\"trace_id\":\"tr-1\",\"priority\":3,\"retry_config\":{\"max_attempts\":3,"
            + "\"base_delay_ms\":100,\"jitter\":\"full\"},\"executor\":{\"provider_id\":\"p\",\"endpoint\":\"e\"},"
            + "\"job\":{\"type\":\"http.request\",\"method\":\"POST\",\"url\":\"https://api.example.com/v1?q=1\","
            + "\"headers\":{\"Content-Type\":\"application/json\"},\"body\":\"{\\\"input\\\":\\\"a\\\\nb\\\"}\","
            + "\"timeout_ms\":5000},\"extra\":[1,-2.5e3,true,false,null,{\"k\":[]}]}";
    private final AssignmentDecoder decoder = new AssignmentDecoder();

    @Test
    void theBaseDocumentIsReadDirectlyAsTheTreeReadsIt() {
        byte[] payload = bytes(BASE);

        assertThat(DirectAssignmentReader.read(payload)).isNotNull();
        assertSameAsTree(payload);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        // escapes Jackson decodes: read directly, to the same text
        "\"path\":\"/a\\u0062\\/c\\t\"",
        "\"p\\u0061th\":\"/a\"",
        // numbers and literals in every place an unknown field may hold them
        "\"path\":\"/a\",\"n\":-0,\"f\":0.5,\"e\":1E+2,\"g\":-1e-2,\"a\":[ ],\"o\":{ },\"t\":true",
        // JSON whitespace anywhere between tokens
        "\"path\" :\t\"/a\" ,\r\n\"timeout_ms\" : 7",
    })
    void plainVariationsAreReadDirectlyAsTheTreeReadsThem(String jobFields) {
        byte[] payload = bytes(fsGet(jobFields) + " \n");

        assertThat(DirectAssignmentReader.read(payload)).as(new String(payload, StandardCharsets.UTF_8)).isNotNull();
        assertSameAsTree(payload);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "\"path\":\"/a\",\"timeout_ms\":0123",          // a leading zero: Jackson refuses it
        "\"path\":\"/a\",\"timeout_ms\":1e3",           // not an integer
        "\"path\":\"/a\",\"n\":01",                     // a leading zero in a skipped field
        "\"path\":\"/a\",\"n\":1.",                     // a fraction without digits
        "\"path\":\"/a\",\"n\":-",                      // a sign alone
        "\"path\":\"/a\",\"n\":+1",                     // JSON has no plus sign
        "\"path\":\"/a\",\"n\":tru",                    // a broken literal
        "\"path\":\"/a\",\"n\":nullx",                  // a literal run on
        "\"path\":\"/a\\x\"",                           // an escape JSON does not have
        "\"path\":\"/a\\u00zz\"",                       // a broken unicode escape
        "\"path\":\"/a\\ud83d\\ude00\"",                // surrogates: Jackson's rules decide
        "\"path\":\"/a\u0001\"",                        // a raw control character
        "\"path\":\"/caf\u00e9\"",                      // non-ASCII text: Jackson decodes UTF-8
        "\"path\":\"/a\",,\"x\":1",                     // an empty member
        "\"path\":\"/a\",\"x\":[1,]",                   // a trailing comma in an array
        "\"path\":\"/a\",\"x\":{\"k\":1,}",             // a trailing comma in an object
        "\"path\":\"/a\" \"x\":1",                      // a missing comma
        "\"path\" \"/a\"",                              // a missing colon
        "path:\"/a\"",                                  // an unquoted name
        "\"path\":'/a'",                                // single quotes
    })
    void oddOrBrokenJsonIsLeftToTheTree(String jobFields) {
        byte[] payload = bytes(fsGet(jobFields));

        assertThat(DirectAssignmentReader.read(payload)).as(new String(payload, StandardCharsets.UTF_8)).isNull();
        assertThat(decoder.decode(payload)).isEqualTo(decoder.decodeTree(payload));
    }

    @Test
    void nestingBeyondTheLimitIsLeftToTheTree() {
        String deep = "[".repeat(Json.MAX_NESTING_DEPTH) + "]".repeat(Json.MAX_NESTING_DEPTH);
        byte[] payload = bytes(fsGet("\"path\":\"/a\",\"deep\":" + deep));

        assertThat(DirectAssignmentReader.read(payload)).isNull();
        assertThat(decoder.decode(payload)).isEqualTo(decoder.decodeTree(payload));
    }

    @Test
    void longNamesAreLeftToTheTreeWhichRefusesThemBeyondJacksonsLimit() {
        for (int length : new int[] {1_001, 60_000}) {
            byte[] payload = bytes(fsGet("\"path\":\"/a\",\"" + "n".repeat(length) + "\":1"));

            assertThat(DirectAssignmentReader.read(payload)).as("a name of %d characters", length).isNull();
            assertThat(decoder.decode(payload)).isEqualTo(decoder.decodeTree(payload));
        }
        assertThat(decoder.decode(bytes(fsGet("\"path\":\"/a\",\"" + "n".repeat(60_000) + "\":1"))))
                .isInstanceOf(Decoded.Unreadable.class);
    }

    @Test
    void aByteOrderMarkOrAnEmptyMessageIsLeftToTheTree() {
        byte[] bom = bytes("\uFEFF" + fsGet("\"path\":\"/a\""));

        assertThat(DirectAssignmentReader.read(bom)).isNull();
        assertThat(DirectAssignmentReader.read(new byte[0])).isNull();
        assertThat(DirectAssignmentReader.read(bytes("   "))).isNull();
    }

    @Test
    void everyTruncationIsLeftToTheTree() {
        byte[] payload = bytes(BASE);
        for (int length = 0; length < payload.length; length++) {
            byte[] cut = java.util.Arrays.copyOf(payload, length);
            assertThat(DirectAssignmentReader.read(cut)).as("first %d bytes", length).isNull();
        }
    }

    /**
     * Random byte mutations of a full document (JSON's own characters, controls, non-ASCII):
     * what the direct reader still accepts must be exactly what the tree reads.
     */
    @Test
    void mutatedDocumentsReadDirectlyAreExactlyWhatTheTreeReads() {
        byte[] alphabet = bytes("{}[]\",:\\/ \t\n0123456789-+.eEtrufalsn\u0001xu");
        byte[] base = bytes(BASE);
        Random random = new Random(4222);
        int direct = 0;
        for (int i = 0; i < 40_000; i++) {
            byte[] mutated = mutate(base, random, alphabet);
            if (DirectAssignmentReader.read(mutated) != null) {
                direct++;
                assertSameAsTree(mutated);
            }
        }
        // many mutations land in skipped or free text and stay valid: the accepting side was exercised
        assertThat(direct).isGreaterThan(1_000);
    }

    private static byte[] mutate(byte[] base, Random random, byte[] alphabet) {
        byte[] out = base.clone();
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(out.length);
            byte b = random.nextInt(20) == 0 ? (byte) (0x80 + random.nextInt(0x80)) : alphabet[random.nextInt(alphabet.length)];
            switch (random.nextInt(3)) {
                case 0 -> out[at] = b;
                case 1 -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = b;
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
                default -> {
                    byte[] shorter = new byte[out.length - 1];
                    System.arraycopy(out, 0, shorter, 0, at);
                    System.arraycopy(out, at + 1, shorter, at, out.length - at - 1);
                    out = shorter;
                }
            }
        }
        return out;
    }

    private void assertSameAsTree(byte[] payload) {
        ExecAssignment read = DirectAssignmentReader.read(payload);
        assertThat(decoder.decodeTree(payload)).as(new String(payload, StandardCharsets.UTF_8))
                .isEqualTo(new Decoded.Valid(read));
    }

    private static String fsGet(String jobFields) {
        return "{\"version\":\"1\",\"assignment_id\":\"a\",\"request_id\":\"r\",\"tenant_id\":\"t\","
                + "\"executor\":{\"provider_id\":\"p\"},\"job\":{\"type\":\"fs.get\"," + jobFields + "}}";
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
