import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * bench/large's Router stand-in (run with the source launcher, the worker jar on the class path).
 * Each step is two http.request assignments to a worker on NATS: a GET of the large file with
 * {@code response_to_path} (streamed into the tenant's data directory) and a PUT of that file
 * with {@code body_from_path} (streamed back out to the server, which answers with the size and
 * SHA-256 it received). Steps run one after another; each is timed from publishing the
 * assignment to receiving its result. The file is checked three times per step: the worker's
 * reported size and hash, the bytes on disk, and what the server received on upload.
 *
 * <p>Usage: LargeSteps NATS_URL BASE_URL DATA_DIR STEPS SIZE_BYTES SHA256. Prints a line per
 * step and a summary on stderr, one JSON line on stdout; exit 1 when a check failed.
 */
public final class LargeSteps {
    private static final String TENANT = "large";
    private static final String STORED = "/large/payload.bin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long STEP_TIMEOUT_MS = 120_000;

    private final Connection nats;
    private final BlockingQueue<Message> answers = new LinkedBlockingQueue<>();
    private final String runId = Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    private final List<String> failures = new ArrayList<>();

    private LargeSteps(Connection nats) {
        this.nats = nats;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: LargeSteps NATS_URL BASE_URL DATA_DIR STEPS SIZE_BYTES SHA256");
            System.exit(2);
        }
        Options options = new Options.Builder().server(args[0]).connectionName("bench-large").build();
        try (Connection nats = Nats.connect(options)) {
            System.exit(new LargeSteps(nats).run(args[1], Path.of(args[2]), Integer.parseInt(args[3]),
                    Long.parseLong(args[4]), args[5]));
        }
    }

    private int run(String baseUrl, Path dataDir, int steps, long size, String sha256) throws Exception {
        Dispatcher dispatcher = nats.createDispatcher(answers::add);
        dispatcher.subscribe("caf.exec.result.v1").subscribe("caf.exec.assign.v1.ack").subscribe("caf.exec.dlq.v1");
        nats.flush(Duration.ofSeconds(5));
        List<Double> down = new ArrayList<>();
        List<Double> up = new ArrayList<>();
        List<Double> both = new ArrayList<>();
        Path stored = dataDir.resolve(TENANT).resolve(STORED.substring(1));
        for (int i = 0; i < steps; i++) {
            Timed get = call("get-" + i, job("GET", baseUrl + "/payload.bin").put("response_to_path", STORED));
            JsonNode getOut = get.result.path("result");
            check(i, "download reported size", size, getOut.path("body_size_bytes").asLong(-1));
            check(i, "download reported sha256", sha256, getOut.path("body_sha256").asText());
            check(i, "file on disk size", size, Files.exists(stored) ? Files.size(stored) : -1);
            check(i, "file on disk sha256", sha256, Files.exists(stored) ? sha256(stored) : "missing");
            Timed put = call("put-" + i, job("PUT", baseUrl + "/upload/" + i).put("body_from_path", STORED));
            JsonNode received = put.result.path("result").path("body");
            JsonNode echo = received.isTextual() ? JSON.readTree(received.asText()) : JSON.createObjectNode();
            check(i, "uploaded size", size, echo.path("size_bytes").asLong(-1));
            check(i, "uploaded sha256", sha256, echo.path("sha256").asText());
            down.add(get.ms);
            up.add(put.ms);
            both.add(get.ms + put.ms);
            System.err.printf(Locale.ROOT, "step %2d  download %7.1f ms  upload %7.1f ms  total %7.1f ms%n",
                    i + 1, get.ms, put.ms, get.ms + put.ms);
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("kind", "large");
        line.put("ok", failures.isEmpty());
        line.put("steps", steps);
        line.put("size_bytes", size);
        summary(line, "download", down);
        summary(line, "upload", up);
        summary(line, "step", both);
        line.put("failures", failures);
        System.out.println(JSON.writeValueAsString(line));
        failures.forEach(f -> System.err.println("FAILED: " + f));
        return failures.isEmpty() ? 0 : 1;
    }

    /** One timed assignment; a rejection, dead letter, error result or no answer is a failure. */
    private Timed call(String name, ObjectNode job) throws Exception {
        String id = "large-" + runId + "-" + name;
        ObjectNode assignment = JSON.createObjectNode().put("version", "1").put("assignment_id", id)
                .put("request_id", id).put("tenant_id", TENANT);
        assignment.putObject("executor").put("provider_id", "bench");
        assignment.set("job", job);
        long start = System.nanoTime();
        nats.publish("caf.exec.assign.v1", JSON.writeValueAsBytes(assignment));
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(STEP_TIMEOUT_MS);
        while (true) {
            Message message = answers.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (message == null) {
                throw new IllegalStateException(id + ": no result within " + STEP_TIMEOUT_MS + " ms");
            }
            JsonNode body = JSON.readTree(message.getData());
            String about = body.path("assignment_id").asText(body.path("payload").path("assignment_id").asText());
            if (!id.equals(about)) {
                continue;
            }
            switch (message.getSubject()) {
                case "caf.exec.result.v1" -> {
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (!"success".equals(body.path("status").asText())) {
                        failures.add(id + ": " + body.path("status").asText() + " " + body.path("error"));
                    }
                    return new Timed(body, ms);
                }
                case "caf.exec.assign.v1.ack" -> {
                    if (!"accepted".equals(body.path("status").asText())) {
                        throw new IllegalStateException(id + " rejected: " + body);
                    }
                }
                default -> throw new IllegalStateException(id + " dead-lettered: " + body);
            }
        }
    }

    private static ObjectNode job(String method, String url) {
        return JSON.createObjectNode().put("type", "http.request").put("method", method).put("url", url)
                .put("timeout_ms", STEP_TIMEOUT_MS);
    }

    private void check(int step, String what, Object expected, Object actual) {
        if (!expected.equals(actual)) {
            failures.add("step " + (step + 1) + ": " + what + " is " + actual + ", expected " + expected);
        }
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Nearest-rank percentiles: with 20 steps, p95 is the second slowest and max the slowest. */
    private static void summary(Map<String, Object> line, String kind, List<Double> ms) {
        List<Double> sorted = ms.stream().sorted().toList();
        line.put(kind + "_p50_ms", rank(sorted, 0.50));
        line.put(kind + "_p95_ms", rank(sorted, 0.95));
        line.put(kind + "_max_ms", sorted.isEmpty() ? 0 : Math.round(sorted.getLast() * 10) / 10.0);
        System.err.printf(Locale.ROOT, "%-8s ms  p50 %8.1f  p95 %8.1f  max %8.1f  (n=%d)%n", kind,
                rank(sorted, 0.50), rank(sorted, 0.95), line.get(kind + "_max_ms"), sorted.size());
    }

    private static double rank(List<Double> sorted, double p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = Math.max(0, (int) Math.ceil(p * sorted.size()) - 1);
        return Math.round(sorted.get(index) * 10) / 10.0;
    }

    private record Timed(JsonNode result, double ms) {
    }
}
