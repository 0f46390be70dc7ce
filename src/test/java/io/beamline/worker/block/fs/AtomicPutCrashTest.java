package io.beamline.worker.block.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.block.TempFiles;
import io.beamline.worker.block.TenantPaths;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Atomic writes under {@code kill -9}: a separate JVM ({@link RepeatedPutProcess}) overwrites one
 * file with 1-2 MiB versions in a loop and is killed, several times over: in even rounds at a
 * random moment, in odd rounds as soon as a temp file shows that a write is in progress.
 *
 * <p>After each kill this checks that (1) the file holds exactly one complete version, byte for
 * byte, and that version is the last one the writer reported or the one after it (the kill can
 * land between the rename and the report); (2) at most one temp file exists anywhere under the
 * data directory: the one the killed write was filling, because each writer's start-up sweep
 * removed the previous round's; (3) that sweep removed exactly the file the previous kill left. At the end a sweep from
 * this JVM leaves no temp file at all.
 */
class AtomicPutCrashTest {
    private static final int ROUNDS = 6;
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;
    @TempDir
    Path logs;

    @Test
    void killedWriterLeavesOneCompleteVersionAndNoTempFilesPiling() throws Exception {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        Path target = dataDir.resolve(CrashedWriterVersions.TENANT).resolve(CrashedWriterVersions.PATH);
        int killedMidWrite = 0;
        int leftBehind = 0;

        for (int round = 0; round < ROUNDS; round++) {
            int firstVersion = round * 1_000_000;
            Writer writer = Writer.start(dataDir, logs.resolve("writer-" + round + ".stderr"), firstVersion);
            await().atMost(BOUND).until(() -> writer.lastWritten() >= firstVersion || !writer.process.isAlive());
            assertThat(writer.process.isAlive()).as("writer runs (stderr: %s)", writer.stderr()).isTrue();
            if (round % 2 == 0) {
                Thread.sleep(random.nextInt(400));  // a random moment
            } else {
                // the moment a write is seen in progress, so that some kills surely hit one
                await().atMost(BOUND).pollInterval(Duration.ofMillis(1)).ignoreExceptions()  // files vanish mid-walk
                        .until(() -> !tempFiles().isEmpty());
            }

            writer.kill();

            String content = Files.readString(target);
            int version = CrashedWriterVersions.versionOf(content);
            String context = "round " + round + ", seed " + seed;
            assertThat(content.equals(CrashedWriterVersions.content(version))).as("complete version %d, %s", version, context).isTrue();
            assertThat(version).as(context).isBetween(writer.lastWritten(), writer.lastWritten() + 1);
            List<Path> temps = tempFiles();
            assertThat(temps).as(context).hasSizeLessThanOrEqualTo(1);
            assertThat(writer.swept()).as("the start-up sweep removed the last round's temp file, %s", context)
                    .isEqualTo(leftBehind);
            leftBehind = temps.size();
            killedMidWrite += temps.size();
        }

        try (FsBlocks blocks = FsBlocks.create(FsConfig.defaults(false), new TenantPaths(dataDir))) {
            blocks.removeOrphanedTempFiles();
        }
        assertThat(tempFiles()).isEmpty();
        System.out.printf("seed %d: %d of %d kills landed while a temp file was open%n", seed, killedMidWrite, ROUNDS);
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> entries = Files.walk(dataDir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(TempFiles.PREFIX)).toList();
        }
    }

    /** One writer JVM and what it has reported on stdout. */
    private record Writer(Process process, AtomicInteger written, AtomicInteger sweptCount, Path stderrFile,
            CompletableFuture<Void> reportsRead) {
        static Writer start(Path dataDir, Path stderr, int firstVersion) throws IOException {
            Process process = new ProcessBuilder(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC",
                    "-cp", System.getProperty("java.class.path"),
                    RepeatedPutProcess.class.getName(), dataDir.toString(), String.valueOf(firstVersion))
                    .redirectError(stderr.toFile())
                    .start();
            Writer writer = new Writer(process, new AtomicInteger(firstVersion - 1), new AtomicInteger(-1), stderr,
                    new CompletableFuture<>());
            Thread.ofVirtual().start(writer::readReports);
            return writer;
        }

        int lastWritten() {
            return written.get();
        }

        int swept() {
            return sweptCount.get();
        }

        void kill() throws Exception {
            process.destroyForcibly();
            assertThat(process.waitFor(BOUND.toSeconds(), TimeUnit.SECONDS)).as("writer died").isTrue();
            // reports still in the pipe count: the last "wrote" must be known before the file is judged
            reportsRead.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        }

        String stderr() throws IOException {
            return Files.readString(stderrFile);
        }

        private void readReports() {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (line.startsWith("wrote ")) {
                        written.set(Integer.parseInt(line.substring(6)));
                    } else if (line.startsWith("swept ")) {
                        sweptCount.set(Integer.parseInt(line.substring(6)));
                    }
                }
            } catch (IOException e) {
                // the process was killed mid-line; what was read stands
            } finally {
                reportsRead.complete(null);
            }
        }
    }
}
