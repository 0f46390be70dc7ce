package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line as an operator meets it: help, and bad values failing at start-up. */
class CliIT {

    @Test
    void serveHelpDocumentsEveryOption() throws Exception {
        WorkerProcess help = WorkerProcess.builder("serve", "--help").run(Duration.ofSeconds(60));

        assertThat(help.process().exitValue()).isZero();
        assertThat(help.stdout()).contains("--cpu-pool-size", "--gpu-pool-size", "--io-pool-size", "--max-memory-mb",
                "--max-cpu-time-ms", "--nats-url", "--prometheus-endpoint", "--health-endpoint", "--data-dir",
                "--worker-id", "--sql-connection", "--max-queue-size", "--queue-policy", "--transport",
                "WORKER_IO_POOL_SIZE", "NATS_URL", "PROMETHEUS_ENDPOINT");
    }

    @Test
    void topLevelHelpListsTheCommandsAndFeatureFlags() throws Exception {
        WorkerProcess help = WorkerProcess.builder("--help").run(Duration.ofSeconds(60));

        assertThat(help.process().exitValue()).isZero();
        assertThat(help.stdout()).contains("serve", "run", "submit", "CP2_ADVANCED_RETRY_ENABLED", "CP2_QUEUE_MANAGEMENT_ENABLED");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({
        "--io-pool-size, 0, --io-pool-size",
        "--io-pool-size, abc, --io-pool-size",
        "--cpu-pool-size, -1, --cpu-pool-size",
        "--health-endpoint, nowhere, --health-endpoint",
        "--queue-policy, drop_newest, --queue-policy",
        "--nats-url, http://x, --nats-url",
        "--nats-url, nats://127.0.0.1:notaport, --nats-url",
        "--nats-url, nats://127.0.0.1:70000, --nats-url",
        "--max-queue-size, 0, --max-queue-size",
        "--public-url, notaurl, --public-url",
        "--public-url, http://h:99999, --public-url",
        "--public-url, http://user:pw@h, --public-url",
        "--approval-default-timeout-ms, 2592000001, --approval-default-timeout-ms",
        "--sql-max-result-bytes, 10, --sql-max-result-bytes",
        "--max-memory-mb, 10, --max-memory-mb",
        "--max-memory-mb, 100000000, --max-memory-mb",
        "--max-memory-mb, +30000, --max-memory-mb",
        "--max-memory-mb, 0100, --max-memory-mb",
        "--max-memory-mb, -1, at least 128",
        "--intake-threads, 100000, at most 64",
        "--data-dir, '', must name a directory",
    })
    void badValuesFailAtStartUpNamingTheOption(String option, String value, String named) throws Exception {
        WorkerProcess worker = WorkerProcess.builder("serve", option, value).run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isEqualTo(2);
        assertThat(worker.stderr()).contains(named).doesNotContain("\tat ");
    }

    @Test
    void aBadNatsUrlIsRefusedWithoutRepeatingItsPassword(@TempDir Path tmp) throws Exception {
        WorkerProcess serve = WorkerProcess.builder("serve", "--nats-url", "nats://alice:Sec retPW1@127.0.0.1:4222").run(Duration.ofSeconds(60));
        assertThat(serve.process().exitValue()).isEqualTo(2);
        assertThat(serve.stderr()).contains("--nats-url", "***@").doesNotContain("retPW1");

        Path assignment = Files.write(tmp.resolve("a.json"),
                io.beamline.worker.support.Assignments.bytes(io.beamline.worker.support.Assignments.fsGet("/x")));
        WorkerProcess submit = WorkerProcess.builder("submit", "--nats-url", "nats://alice:secretPW2@127.0.0.1:" + NatsServer.freePort(),
                assignment.toString()).run(Duration.ofSeconds(60));
        assertThat(submit.stderr()).as("nothing listens: it cannot connect").contains("cannot connect to NATS", "***@")
                .doesNotContain("secretPW2");
    }

    @Test
    void anUnknownLogLevelIsRefusedAndAKnownOneIsTakenInAnyCase(@TempDir Path tmp) throws Exception {
        WorkerProcess bogus = WorkerProcess.builder("run", "--data-dir", tmp.resolve("data").toString(), "-")
                .env(Map.of("WORKER_LOG_LEVEL", "bogus")).run(Duration.ofSeconds(60));
        assertThat(bogus.process().exitValue()).isEqualTo(2);
        assertThat(bogus.stderr()).contains("WORKER_LOG_LEVEL", "bogus").doesNotContain("\"level\":\"DEBUG\"");

        WorkerProcess quiet = WorkerProcess.builder("run", "--data-dir", tmp.resolve("data").toString(), "-")
                .env(Map.of("WORKER_LOG_LEVEL", "error")).run(Duration.ofSeconds(60));
        assertThat(quiet.process().exitValue()).isZero();
        assertThat(quiet.stderr()).doesNotContain("\"level\":\"INFO\"").doesNotContain("\"level\":\"DEBUG\"");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"serve", "run"})
    void aDataDirThatCannotBeUsedFailsAtStartUpNamingTheOption(String command, @TempDir Path tmp) throws Exception {
        Path aFile = Files.writeString(tmp.resolve("a-file"), "not a directory");
        List<String> args = new ArrayList<>(List.of(command, "--data-dir", aFile.toString()));
        if (command.equals("run")) {
            args.add("-");
        }

        WorkerProcess worker = WorkerProcess.builder(args.toArray(String[]::new)).run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isEqualTo(2);
        assertThat(worker.stderr()).contains("--data-dir").doesNotContain("\tat ");
    }

    @Test
    void runOnADirectoryIsAUsageErrorWithoutAStackTrace(@TempDir Path tmp) throws Exception {
        WorkerProcess worker = WorkerProcess.builder("run", "--data-dir", tmp.resolve("data").toString(), tmp.toString())
                .run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isEqualTo(2);
        assertThat(worker.stderr()).contains("is a directory").doesNotContain("\tat ");

        WorkerProcess missing = WorkerProcess.builder("run", "--data-dir", tmp.resolve("data").toString(), tmp.resolve("none.jsonl").toString())
                .run(Duration.ofSeconds(60));
        assertThat(missing.process().exitValue()).isEqualTo(2);
        assertThat(missing.stderr()).contains("does not exist").doesNotContain("\tat ");
    }

    /** A named pipe (or a shell's {@code <(...)}) is a file to read, as the fix for directories once forgot. */
    @Test
    void runReadsAssignmentsFromANamedPipe(@TempDir Path tmp) throws Exception {
        Path fifo = tmp.resolve("assignments.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                Files.writeString(fifo, new String(io.beamline.worker.support.Assignments.bytes(
                        io.beamline.worker.support.Assignments.withJob("{\"type\":\"fs.put\",\"path\":\"/p.txt\",\"content\":\"via a pipe\"}")),
                        java.nio.charset.StandardCharsets.UTF_8) + "\n");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });

        WorkerProcess worker = WorkerProcess.builder("run", "--data-dir", tmp.resolve("data").toString(), fifo.toString())
                .run(Duration.ofSeconds(60));
        writer.join(10_000);

        assertThat(worker.process().exitValue()).as(worker.stderr()).isZero();
        assertThat(worker.stdout()).contains("\"status\":\"success\"");
        assertThat(tmp.resolve("data/tenant-test/p.txt")).hasContent("via a pipe");
    }

    @Test
    void badOpenTelemetrySettingsAreAUsageErrorWithoutAStackTrace(@TempDir Path tmp) throws Exception {
        WorkerProcess worker = WorkerProcess.builder("run", "--data-dir", tmp.resolve("data").toString(), "-")
                .env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1", "OTEL_EXPORTER_OTLP_PROTOCOL", "bogus"))
                .run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isEqualTo(2);
        assertThat(worker.stderr()).contains("OTEL_", "bogus").doesNotContain("\tat ");
    }

    @Test
    void theTracingEndpointIsLoggedWithoutItsCredentials(@TempDir Path tmp) throws Exception {
        WorkerProcess worker = WorkerProcess.builder("run", "--data-dir", tmp.resolve("data").toString(), "-")
                .env(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otluser:otlsecret@127.0.0.1:1"))
                .run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isZero();
        assertThat(worker.stdout() + worker.stderr()).contains("exporting spans over OTLP to http://***@127.0.0.1:1")
                .doesNotContain("otlsecret");
    }

    @Test
    void badEnvironmentValuesNameTheOptionAndTheVariable() throws Exception {
        WorkerProcess worker = WorkerProcess.builder("serve").env(Map.of("WORKER_IO_POOL_SIZE", "lots")).run(Duration.ofSeconds(60));

        assertThat(worker.process().exitValue()).isEqualTo(2);
        assertThat(worker.stderr()).contains("--io-pool-size", "WORKER_IO_POOL_SIZE");
    }
}
