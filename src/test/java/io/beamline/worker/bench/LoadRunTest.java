package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.config.Main;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.support.NatsServer;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.Nats;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The load generator against a real nats-server, answered by the echo service (or by nobody). */
class LoadRunTest {
    private static NatsServer nats;
    private Connection loadgen;
    private Connection service;

    @BeforeAll
    static void startNats() throws Exception {
        nats = NatsServer.start();
    }

    @AfterAll
    static void stopNats() throws Exception {
        nats.close();
    }

    @BeforeEach
    void connect() throws Exception {
        loadgen = Nats.connect(nats.url());
        service = Nats.connect(nats.url());
    }

    @AfterEach
    void disconnect() throws Exception {
        loadgen.close();
        service.close();
    }

    @Test
    void theEchoServiceAnswersEveryAssignmentExactlyOnce() throws Exception {
        EchoService.start(service);

        LoadReport report = run(config(3_000, 0, 200, 30_000).warmupOf(200)
                .mixOf("http.request=1,fs.get=1,fs.put=1,sql.query=1"));

        assertThat(report.ok()).isTrue();
        assertThat(report.sent().count()).isEqualTo(3_000);
        assertThat(report.measured().acks()).containsExactly(java.util.Map.entry("accepted", 3_000L));
        assertThat(report.measured().results()).containsExactly(java.util.Map.entry("success", 3_000L));
        assertThat(report.measured().result().count()).isEqualTo(3_000);
        assertThat(report.json()).contains("\"ok\":true", "\"label\":\"test\"", "\"throughput_per_s\":", "\"loadgen_cpu_us_per_assignment\":");
    }

    @Test
    void theContractSizedEchoIsReadByTheLoadGeneratorLikeTheWorker() throws Exception {
        EchoService.start(service, EchoService.Replies.CONTRACT_SIZED);

        LoadReport report = run(config(2_000, 0, 200, 30_000).warmupOf(100).mixOf("fs.get=1"));

        assertThat(report.ok()).isTrue();
        assertThat(report.measured().acks()).containsExactly(java.util.Map.entry("accepted", 2_000L));
        assertThat(report.measured().results()).containsExactly(java.util.Map.entry("success", 2_000L));
    }

    @Test
    void aSeriesFileAccountsForEverySendAndResultSecondBySecond(@TempDir Path dir) throws Exception {
        EchoService.start(service);
        Path file = dir.resolve("series.jsonl");

        LoadReport report = new LoadRun(loadgen, config(3_000, 2_000, 0, 30_000).config(), "ts1", Optional.of(file)).run();

        List<JsonNode> seconds = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            seconds.add(Json.readTree(line.getBytes(StandardCharsets.UTF_8)));
        }
        // 3,000 at 2,000/s take 1.5 s: at least two seconds, numbered from 0 without gaps
        assertThat(seconds.size()).isGreaterThanOrEqualTo(2);
        for (int i = 0; i < seconds.size(); i++) {
            assertThat(seconds.get(i).get("second").asInt()).isEqualTo(i);
        }
        assertThat(seconds.stream().mapToLong(s -> s.get("sent").asLong()).sum()).isEqualTo(3_000);
        assertThat(seconds.stream().mapToLong(s -> s.get("accepted").asLong()).sum()).isEqualTo(3_000);
        assertThat(seconds.stream().mapToLong(s -> s.get("results").asLong()).sum()).isEqualTo(3_000);
        assertThat(seconds.stream().mapToLong(s -> s.path("results_by").path("success").asLong()).sum()).isEqualTo(3_000);
        assertThat(seconds.get(0).get("result_p99_ms").asDouble()).isGreaterThan(0);
        assertThat(report.ok()).isTrue();
    }

    @Test
    void theSeriesCountsRejectionsByCodeAndReason(@TempDir Path dir) throws Exception {
        service.createDispatcher(message -> {
            String id = JsonScan.string(message.getData(), JsonScan.ASSIGNMENT_ID);
            service.publish(Subjects.ACK, ("{\"assignment_id\":\"" + id
                    + "\",\"status\":\"rejected\",\"reason\":\"queue_full\",\"error_code\":4002}").getBytes(StandardCharsets.UTF_8));
        }).subscribe(Subjects.ASSIGN);
        service.flush(Duration.ofSeconds(5));
        Path file = dir.resolve("series.jsonl");

        new LoadRun(loadgen, config(40, 0, 0, 30_000).config(), "ts2", Optional.of(file)).run();

        JsonNode first = Json.readTree(Files.readAllLines(file).get(0).getBytes(StandardCharsets.UTF_8));
        assertThat(first.get("rejected").asLong()).isEqualTo(40);
        assertThat(first.get("rejected_by").get("4002:queue_full").asLong()).isEqualTo(40);
        assertThat(first.get("results").asLong()).isZero();
    }

    @Test
    void theCommandWritesTheSeriesFileItIsGiven(@TempDir Path dir) throws Exception {
        EchoService.start(service);
        Path file = dir.resolve("cmd-series.jsonl");

        int exit = command().execute("--nats-url", nats.url(), "--count", "50", "--warmup", "0", "--series-file", file.toString());

        assertThat(exit).isEqualTo(Main.EXIT_OK);
        assertThat(Files.readAllLines(file)).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{\"second\":"));
    }

    @Test
    void withAnOutcomeStreamOutcomesAreReadFromTheStreamWhichDropsRepeatsOfTheSameMessageId() throws Exception {
        try (NatsServer js = NatsServer.start(true);
             Connection router = Nats.connect(js.url());
             Connection worker = Nats.connect(js.url())) {
            worker.jetStreamManagement().addStream(StreamConfiguration.builder().name("OUT")
                    .subjects(Subjects.ACK, Subjects.RESULT, Subjects.DEAD_LETTER).storageType(StorageType.Memory).build());
            JetStream stream = worker.jetStream();
            worker.createDispatcher(message -> {
                String id = JsonScan.string(message.getData(), JsonScan.ASSIGNMENT_ID);
                publish(stream, Subjects.ACK, "ack:" + id, "{\"assignment_id\":\"" + id + "\",\"status\":\"accepted\"}");
                String result = "{\"assignment_id\":\"" + id + "\",\"status\":\"success\"}";
                publish(stream, Subjects.RESULT, "result:" + id, result);
                if (id.endsWith("-m-7")) {
                    publish(stream, Subjects.RESULT, "result:" + id, result);  // a redelivery answered again
                }
            }).subscribe(Subjects.ASSIGN);
            worker.flush(Duration.ofSeconds(5));
            LoadgenConfig c = new LoadgenConfig(List.of(js.url()), 200, 0, 3, JobMix.parse("fs.get"), 0, 30_000, 0, 0, 0, 0,
                    "stream", LoadgenConfig.DEFAULT_HTTP_URL, "OUT");

            LoadReport report = new LoadRun(router, c, "tst01").run();

            assertThat(report.ok()).as(report.text()).isTrue();
            assertThat(report.measured().results()).containsExactly(java.util.Map.entry("success", 200L));
        }
    }

    private static void publish(JetStream stream, String subject, String messageId, String body) {
        try {
            stream.publish(subject, new Headers().put("Nats-Msg-Id", messageId), body.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aDuplicatedResultFailsTheRun() throws Exception {
        EchoService.start(service);
        AtomicBoolean repeated = new AtomicBoolean();
        service.createDispatcher(message -> {
            String body = new String(message.getData(), StandardCharsets.UTF_8);
            if (body.contains("-m-7\"") && repeated.compareAndSet(false, true)) {
                service.publish(Subjects.RESULT, message.getData());  // a worker answering twice
            }
        }).subscribe(Subjects.RESULT);
        service.flush(Duration.ofSeconds(5));

        LoadReport report = run(config(100, 0, 0, 30_000));

        assertThat(report.ok()).isFalse();
        assertThat(report.measured().violations().duplicateResult()).isEqualTo(1);
        assertThat(report.measured().violations().total()).isEqualTo(1);
    }

    @Test
    void assignmentsNobodyAnswersAreReportedMissingOnceTheTimeoutHasPassed() throws Exception {
        long started = System.nanoTime();

        LoadReport report = run(config(50, 0, 0, 300));

        assertThat(report.ok()).isFalse();
        assertThat(report.measured().violations().missingAck()).isEqualTo(50);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void aFullWindowThatNothingDrainsStopsTheSending() throws Exception {
        LoadReport report = run(config(1_000, 0, 5, 300));

        assertThat(report.sent().count()).isEqualTo(5);
        assertThat(report.measured().violations().missingAck()).isEqualTo(5);
    }

    @Test
    void aPacedRunSendsNoFasterThanItsSchedule() throws Exception {
        EchoService.start(service);

        LoadReport report = run(config(1_000, 2_000, 0, 30_000));

        // the last of 1,000 assignments at 2,000/s is due 0.4995 s after the first
        assertThat(report.sent().seconds()).isGreaterThanOrEqualTo(0.499);
        assertThat(report.ok()).isTrue();
    }

    @Test
    void theCancelFractionIsTheShareOfAssignmentsFollowedByACancel() throws Exception {
        EchoService.start(service);

        LoadReport report = run(config(100, 0, 0, 30_000).cancelling(0.25));

        assertThat(report.sent().cancels()).isEqualTo(25);
        assertThat(report.ok()).isTrue();
    }

    @Test
    void theCommandExitsZeroOnlyWhenEveryOutcomeArrivedExactlyOnce() throws Exception {
        String[] small = {"--nats-url", nats.url(), "--count", "20", "--warmup", "0", "--timeout-ms", "300", "--json"};

        assertThat(command().execute(small)).isEqualTo(Main.EXIT_FAILURE);
        EchoService.start(service);
        assertThat(command().execute(small)).isEqualTo(Main.EXIT_OK);
    }

    @Test
    void theCommandExitsThreeWhenNatsIsNotThere() throws Exception {
        int nobody = NatsServer.freePort();

        assertThat(command().execute("--nats-url", "nats://127.0.0.1:" + nobody, "--count", "1")).isEqualTo(Main.EXIT_CONNECTION_LOST);
    }

    @Test
    void theCommandRefusesABadMixWithAUsageError() {
        assertThat(command().execute("--mix", "fs.gett")).isEqualTo(Main.EXIT_USAGE);
    }

    private static CommandLine command() {
        return new CommandLine(new LoadgenCommand()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof io.beamline.worker.config.ConfigException) {
                return Main.EXIT_USAGE;  // as Main's handler does
            }
            throw e;
        });
    }

    private LoadReport run(TestRun run) throws Exception {
        return new LoadRun(loadgen, run.config(), "t" + Long.toString(System.nanoTime() % 100_000, 36)).run();
    }

    private static TestRun config(long count, double rate, int maxInFlight, long timeoutMs) {
        return new TestRun(new LoadgenConfig(List.of(nats.url()), count, rate, 3, JobMix.parse("fs.get"), 0, timeoutMs,
                0, 0, maxInFlight, 0, "test"));
    }

    /** A config with the few variations these tests need. */
    private record TestRun(LoadgenConfig config) {
        TestRun warmupOf(long warmup) {
            LoadgenConfig c = config;
            return new TestRun(new LoadgenConfig(c.natsUrls(), c.count(), c.rate(), c.tenants(), c.mix(), c.payloadBytes(),
                    c.timeoutMs(), warmup, c.cancelFraction(), c.maxInFlight(), c.durationMs(), c.label()));
        }

        TestRun mixOf(String mix) {
            LoadgenConfig c = config;
            return new TestRun(new LoadgenConfig(c.natsUrls(), c.count(), c.rate(), c.tenants(), JobMix.parse(mix),
                    c.payloadBytes(), c.timeoutMs(), c.warmup(), c.cancelFraction(), c.maxInFlight(), c.durationMs(), c.label()));
        }

        TestRun cancelling(double fraction) {
            LoadgenConfig c = config;
            return new TestRun(new LoadgenConfig(c.natsUrls(), c.count(), c.rate(), c.tenants(), c.mix(), c.payloadBytes(),
                    c.timeoutMs(), c.warmup(), fraction, c.maxInFlight(), c.durationMs(), c.label()));
        }
    }
}
