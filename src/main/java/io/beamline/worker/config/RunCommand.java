package io.beamline.worker.config;

import io.beamline.worker.Worker;
import io.beamline.worker.WorkerServices;
import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.observability.Tracing;
import io.beamline.worker.observability.WorkerMetrics;
import io.beamline.worker.transport.JsonLinesOutcomeSink;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code run FILE|-}: the embedded mode (SPEC §3). Reads assignments as JSON lines, runs them in
 * process with the same runtime and blocks, and prints each ack, result, dead letter and
 * approval request as a JSON line on stdout; logs go to stderr. The HTTP server runs too, so
 * approvals can be decided. Exits once every assignment has its outcome.
 */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run assignments from a JSON-lines FILE (or - for stdin) in process; print acks and results as JSON lines.")
final class RunCommand implements Callable<Integer> {
    /** The embedded mode has no transport limit; this only keeps dead letters readable. */
    private static final int MAX_DEAD_LETTER_PAYLOAD = 1024 * 1024;

    @Parameters(index = "0", paramLabel = "FILE|-", description = "JSON-lines file of assignments, or - for standard input.")
    String input;

    @Mixin
    WorkerOptions options;

    @Override
    public Integer call() throws Exception {
        WorkerConfig config = options.toConfig(System.getenv());
        config.prepareDataDir();
        PrintStream stdout = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        JsonLinesOutcomeSink sink = new JsonLinesOutcomeSink(stdout);
        HealthChecks health = new HealthChecks();
        // healthy once the API it serves (metrics, approvals, status) is mounted, not before
        java.util.concurrent.atomic.AtomicBoolean serving = new java.util.concurrent.atomic.AtomicBoolean();
        health.register("worker", () -> serving.get()
                ? HealthChecks.Check.ok("running") : HealthChecks.Check.failing("starting"));
        Clock clock = Clock.systemUTC();
        WorkerMetrics metrics = Worker.createMetrics(config, health);
        try (InputStream reader = open(input);
             HttpServers http = HttpServers.startEmbedded(config, health, metrics.registry(), clock)) {
            WorkerServices services = new WorkerServices(sink, sink::notice, health, clock,
                    Tracing.fromEnvironment(System.getenv()), MAX_DEAD_LETTER_PAYLOAD, http.publicUrl());
            try (Worker worker = Worker.create(config, services, metrics)) {
                http.serve(worker);
                serving.set(true);
                worker.announceReady();
                worker.resumePendingApprovals();
                // lines as bytes, as NATS delivers them: a line that is not UTF-8 is dead-lettered
                // as in serve, not decoded with replacement characters and run changed
                byte[] line;
                while ((line = nextLine(reader)) != null) {
                    if (!isBlank(line)) {
                        worker.coordinator().onMessage(line);
                    }
                }
                // Input is exhausted: wait for every accepted step to publish its result.
                while (!worker.registry().awaitIdle(Duration.ofSeconds(1))) {
                    // keep waiting; each step has its own deadline
                }
            }
        } catch (NoSuchFileException e) {
            System.err.println("beamline-worker run: no such file: " + input);
            return Main.EXIT_FAILURE;
        } finally {
            stdout.flush();
        }
        return Main.EXIT_OK;
    }

    private static InputStream open(String input) throws IOException {
        if ("-".equals(input)) {
            return new BufferedInputStream(System.in);
        }
        // a directory is refused; a named pipe or /dev/fd/N (a shell's <(...)) is read like a file
        if (Files.isDirectory(Path.of(input))) {
            throw new ConfigException(input + " is a directory: run takes a JSON-lines file, or - for standard input");
        }
        try {
            return new BufferedInputStream(Files.newInputStream(Path.of(input)));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new ConfigException(input + " does not exist: run takes a JSON-lines file, or - for standard input");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new ConfigException(input + " cannot be read (permission denied)");
        }
    }

    /** The next line's bytes without its line break ({@code \n} or {@code \r\n}); null at the end. */
    static byte[] nextLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1 && b != '\n') {
            line.write(b);
        }
        if (b == -1 && line.size() == 0) {
            return null;
        }
        byte[] bytes = line.toByteArray();
        return bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? java.util.Arrays.copyOf(bytes, bytes.length - 1) : bytes;
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }
}
