package io.beamline.worker.block.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The head of an error body as text or not: only a character the cut split is dropped. */
class ResponseBodySnippetTest {

    private static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    @Test
    void aWholeBodyThatIsNotUtf8IsNotText() {
        // Latin-1 "café", and an overlong encoding: once cut down to "caf" and ""
        assertThat(new ResponseBody.Snippet(bytes('c', 'a', 'f', 0xE9), false).utf8Text()).isEmpty();
        assertThat(new ResponseBody.Snippet(bytes(0xC0, 0xAF, 'x'), false).utf8Text()).isEmpty();
        assertThat(new ResponseBody.Snippet(bytes('a', 'b', 0xC3), false).utf8Text()).as("not cut: nothing to excuse").isEmpty();
    }

    @Test
    void aCutBodyLosesOnlyTheCharacterTheCutSplit() {
        byte[] euro = "€".getBytes(StandardCharsets.UTF_8);  // E2 82 AC
        assertThat(new ResponseBody.Snippet(bytes('a', 'b', 0xC3), true).utf8Text()).contains("ab");
        assertThat(new ResponseBody.Snippet(bytes('a', euro[0], euro[1]), true).utf8Text()).contains("a");
        assertThat(new ResponseBody.Snippet(bytes('a', 0xF0, 0x9F, 0x98), true).utf8Text()).contains("a");
        assertThat(new ResponseBody.Snippet(bytes('a', euro[0], euro[1], euro[2]), true).utf8Text()).contains("a€");
        assertThat(new ResponseBody.Snippet(bytes('c', 'a', 'f', 0xE9), true).utf8Text()).as("0xE9 then nothing: maybe split")
                .contains("caf");
        assertThat(new ResponseBody.Snippet(bytes('c', 0xE9, 'f'), true).utf8Text()).as("invalid inside the head").isEmpty();
        assertThat(new ResponseBody.Snippet(bytes(0x82, 0xAC), true).utf8Text()).as("continuations without a lead").isEmpty();
    }
}
