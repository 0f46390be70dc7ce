package io.beamline.worker.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code submit FILE}: a Router-side client for operators. Publishes one assignment, prints its
 * ack and then its result (or the dead letter it caused) as JSON lines. Exit codes: 0 result
 * {@code success}, 1 another final status, 2 rejected or dead-lettered, 3 no answer in time.
 */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Publish one assignment (a JSON file, or - for stdin) to NATS and print its ack and result.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the result is success",
                "1:the result is error, timeout or cancelled",
                "2:the assignment was rejected (ack) or unreadable (dead letter), or a usage error",
                "3:NATS could not be reached, or no ack or result came within --timeout-ms"})
final class SubmitCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FILE|-", description = "The assignment as a JSON object.")
    String input;

    @Option(names = "--nats-url", paramLabel = "URL[,URL...]",
            description = "NATS server(s) (env NATS_URL; default: nats://localhost:4222).")
    String natsUrl;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "60000",
            description = "How long to wait for the ack and the result (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Override
    public Integer call() throws Exception {
        if (timeoutMs <= 0) {
            throw new ConfigException("--timeout-ms must be > 0, got " + timeoutMs);
        }
        byte[] payload;
        try {
            payload = "-".equals(input) ? System.in.readAllBytes() : Files.readAllBytes(Path.of(input));
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new ConfigException("cannot read the assignment from " + input + ": " + e);
        }
        String assignmentId = assignmentId(payload);
        String urls = new Settings(System.getenv()).text("--nats-url", natsUrl, "NATS_URL", "nats://localhost:4222");
        java.util.Arrays.stream(urls.split(",")).map(String::strip).forEach(WorkerConfig::checkNatsUrl);
        Options options = new Options.Builder().servers(urls.split(",")).connectionName("beamline-submit")
                .connectionTimeout(Duration.ofSeconds(5)).build();
        BlockingQueue<Message> answers = new LinkedBlockingQueue<>();
        Connection connection;
        try {
            connection = Nats.connect(options);
        } catch (IOException e) {
            System.err.println("beamline-worker submit: " + io.beamline.worker.contract.Redaction.natsConnectFailure(urls, e));
            return Main.EXIT_CONNECTION_LOST;
        }
        try (connection) {
            Dispatcher dispatcher = connection.createDispatcher(message -> {
                if (assignmentId.equals(idOf(message.getData()))) {
                    answers.add(message);
                }
            });
            dispatcher.subscribe(Subjects.ACK).subscribe(Subjects.RESULT).subscribe(Subjects.DEAD_LETTER);
            connection.flush(Duration.ofSeconds(5));
            connection.publish(Subjects.ASSIGN, payload);
            return awaitOutcome(answers, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs));
        }
    }

    private static int awaitOutcome(BlockingQueue<Message> answers, long deadline) throws InterruptedException, IOException {
        boolean acked = false;
        while (true) {
            Message message = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (message == null) {
                System.err.println("beamline-worker submit: no " + (acked ? "result" : "ack") + " before the timeout");
                return Main.EXIT_CONNECTION_LOST;
            }
            System.out.println(new String(message.getData(), StandardCharsets.UTF_8));
            JsonNode body = Json.mapper().readTree(message.getData());
            switch (message.getSubject()) {
                case Subjects.ACK -> {
                    acked = true;
                    if ("rejected".equals(body.path("status").asText())) {
                        return Main.EXIT_USAGE;
                    }
                }
                case Subjects.RESULT -> {
                    return "success".equals(body.path("status").asText()) ? Main.EXIT_OK : Main.EXIT_FAILURE;
                }
                default -> {
                    if (!acked) {
                        return Main.EXIT_USAGE;  // dead letter without an ack: the assignment was unreadable
                    }
                }
            }
        }
    }

    private static String assignmentId(byte[] payload) {
        String id = idOf(payload);
        if (id == null) {
            throw new ConfigException("the assignment must be a JSON object with a string assignment_id");
        }
        return id;
    }

    private static String idOf(byte[] json) {
        try {
            JsonNode node = Json.mapper().readTree(json);
            JsonNode id = node == null ? null : node.get("assignment_id");
            if (id == null) {
                id = node == null ? null : node.path("payload").get("assignment_id");
            }
            return id != null && id.isTextual() ? id.textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
