package io.beamline.worker.block.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FileContentTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"-1, 1024", "0, 1024", "100, 1024", "1023, 1024", "1024, 1025", "40000, 40001", "65535, 65536",
            "65536, 65536", "104857600, 65536"})
    void readsInChunksSizedByTheExpectedSize(long expected, int chunk) {
        assertThat(FileContent.chunkBytes(expected)).isEqualTo(chunk);
    }

    @Test
    void aFileThatGrewPastItsExpectedSizeIsReadWholeInSmallChunks() throws Exception {
        byte[] bytes = randomBytes(200_000);
        Path file = Files.write(dir.resolve("grown"), bytes);

        FileContent content = read(file, 1024 * 1024, 10);  // opened when it had 10 bytes

        assertThat(content.sizeBytes()).isEqualTo(bytes.length);
        assertThat(content.inlineBytes()).hasValueSatisfying(inline -> assertThat(inline).isEqualTo(bytes));
        assertThat(content.sha256()).isEqualTo(sha256(bytes));
    }

    @Test
    void aFileAboveTheInlineLimitIsDescribedNotInlined() throws Exception {
        byte[] bytes = randomBytes(300_000);
        Path file = Files.write(dir.resolve("large"), bytes);

        FileContent content = read(file, 100_000, bytes.length);

        assertThat(content.sizeBytes()).isEqualTo(bytes.length);
        assertThat(content.inlineBytes()).isEmpty();
        assertThat(content.sha256()).isEqualTo(sha256(bytes));
    }

    @Test
    void anEmptyFileHasNoBytes() throws Exception {
        Path file = Files.write(dir.resolve("empty"), new byte[0]);

        FileContent content = read(file, 1024, 0);

        assertThat(content.sizeBytes()).isZero();
        assertThat(content.inlineBytes()).hasValueSatisfying(inline -> assertThat(inline).isEmpty());
        assertThat(content.sha256()).isEqualTo(sha256(new byte[0]));
    }

    private static FileContent read(Path file, long maxInline, long expectedSize) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return FileContent.read(channel, maxInline, expectedSize, OperationDeadline.unlimited());
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] bytes = new byte[size];
        new Random(7).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
