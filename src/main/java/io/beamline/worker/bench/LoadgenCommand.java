package io.beamline.worker.bench;

import io.beamline.worker.config.Main;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code loadgen}: a Router stand-in that offers load to whatever consumes
 * {@code caf.exec.assign.v1} (workers, the echo service) and checks the answers. Prints
 * throughput, ack and result latency percentiles, counts by status and reason, and whether
 * every assignment got exactly one outcome. Exit codes: 0 all outcomes exactly once, 1 missing
 * or duplicate outcomes, 2 bad options, 3 cannot connect to NATS.
 */
@Command(name = "loadgen", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Offer assignments to the workers on NATS and measure throughput, latency and exactly-once outcomes.")
public final class LoadgenCommand implements Callable<Integer> {

    @Option(names = "--nats-url", paramLabel = "URL[,URL...]",
            description = "NATS server(s) (env NATS_URL; default: nats://localhost:4222).")
    String natsUrl;

    @Option(names = "--count", paramLabel = "N", defaultValue = "10000", description = "Assignments to send (default: ${DEFAULT-VALUE}).")
    long count;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "Offered assignments per second on a fixed schedule; 0 = as fast as possible (default).")
    double rate;

    @Option(names = "--tenants", paramLabel = "N", defaultValue = "4", description = "Tenants bench-0..bench-N-1 (default: ${DEFAULT-VALUE}).")
    int tenants;

    @Option(names = "--mix", paramLabel = "TYPE[=W],...", defaultValue = "fs.get",
            description = "Block types and weights, e.g. http.request=1,fs.get=3 (default: ${DEFAULT-VALUE}).")
    String mix;

    @Option(names = "--payload-bytes", paramLabel = "BYTES", defaultValue = "0",
            description = "Pad each assignment to about this size; 0 = no padding (default).")
    int payloadBytes;

    @Option(names = "--timeout-ms", paramLabel = "MS", defaultValue = "30000",
            description = "How long to wait for outstanding outcomes after the last send (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2000",
            description = "Assignments sent and awaited before measuring (default: ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--cancel-fraction", paramLabel = "F", defaultValue = "0",
            description = "Share of assignments followed at once by a cancel request, 0..1 (default: ${DEFAULT-VALUE}).")
    double cancelFraction;

    @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "0",
            description = "At most N assignments without an outcome (closed loop); 0 = unbounded (default).")
    int maxInFlight;

    @Option(names = "--duration-ms", paramLabel = "MS", defaultValue = "0",
            description = "Stop sending after this long even if --count is not reached; 0 = no limit (default).")
    long durationMs;

    @Option(names = "--http-url", paramLabel = "URL", defaultValue = LoadgenConfig.DEFAULT_HTTP_URL,
            description = "What http.request assignments GET (default: ${DEFAULT-VALUE}, where nothing listens).")
    String httpUrl;

    @Option(names = "--outcome-stream", paramLabel = "STREAM", defaultValue = "",
            description = "Read acks, results and dead letters from this JetStream stream (e.g. CAF_OUTCOMES, the worker's "
                    + "--js-outcome-stream) instead of core subscriptions: outcomes survive a NATS restart and repeats "
                    + "with the same Nats-Msg-Id are dropped, as a Router in JetStream mode sees them.")
    String outcomeStream;

    @Option(names = "--label", paramLabel = "NAME", defaultValue = "loadgen", description = "Name of the run in the summary.")
    String label;

    @Option(names = "--series-file", paramLabel = "FILE",
            description = "Also write the measured phase second by second to FILE, one JSON line per second: sent, acks, "
                    + "rejections by code:reason, results by status, dead letters, result p50/p99 (for bench/plot and bench/chaos).")
    Path seriesFile;

    @Option(names = "--json", description = "Print the summary as one JSON line on stdout (the text goes to stderr).")
    boolean json;

    @Override
    public Integer call() throws Exception {
        LoadgenConfig config = new LoadgenConfig(Arrays.asList(urls().split(",")), count, rate, tenants, JobMix.parse(mix),
                payloadBytes, timeoutMs, warmup, cancelFraction, maxInFlight, durationMs, label, httpUrl, outcomeStream);
        Connection connection;
        try {
            connection = Nats.connect(natsOptions(config));
        } catch (IOException e) {
            System.err.println("beamline-worker loadgen: "
                    + io.beamline.worker.contract.Redaction.natsConnectFailure(String.join(",", config.natsUrls()), e));
            return Main.EXIT_CONNECTION_LOST;
        }
        try (connection) {
            LoadReport report = new LoadRun(connection, config, runId(), Optional.ofNullable(seriesFile)).run();
            if (json) {
                System.err.print(report.text());
                System.out.println(report.json());
            } else {
                System.out.print(report.text());
            }
            return report.ok() ? Main.EXIT_OK : Main.EXIT_FAILURE;
        }
    }

    private String urls() {
        if (natsUrl != null) {
            return natsUrl;
        }
        String fromEnv = System.getenv("NATS_URL");
        return fromEnv == null || fromEnv.isBlank() ? "nats://localhost:4222" : fromEnv;
    }

    static Options natsOptions(LoadgenConfig config) {
        return new Options.Builder()
                .servers(config.natsUrls().toArray(String[]::new))
                .connectionName("beamline-loadgen")
                .connectionTimeout(Duration.ofSeconds(5))
                // room for a burst of unpaced sends; the sender waits when it is full anyway
                .maxMessagesInOutgoingQueue(200_000)
                .build();
    }

    /** Six base-36 characters: tells this run's replies from those of an earlier or parallel run. */
    private static String runId() {
        return Long.toString(ThreadLocalRandom.current().nextLong(36L * 36 * 36 * 36 * 36, 36L * 36 * 36 * 36 * 36 * 36), 36)
                .toLowerCase(Locale.ROOT);
    }
}
