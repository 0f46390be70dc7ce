package io.beamline.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

class WorkerOptionsTest {

    private static WorkerConfig parse(Map<String, String> env, String... args) {
        WorkerOptions options = new WorkerOptions();
        new CommandLine(options).parseArgs(args);
        return options.toConfig(env);
    }

    @Test
    void defaultsFollowTheSpec() {
        WorkerConfig config = parse(Map.of());

        assertThat(config.ioPoolSize()).isEqualTo(16);
        assertThat(config.cpuPoolSize()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(config.natsUrls()).containsExactly("nats://localhost:4222");
        assertThat(config.prometheusEndpoint()).isEqualTo(new Endpoint("0.0.0.0", 9092));
        assertThat(config.healthEndpoint()).isEqualTo(new Endpoint("0.0.0.0", 9091));
        assertThat(config.maxQueueSize()).isEqualTo(1000);
        assertThat(config.queuePolicy()).isEqualTo(QueuePolicy.reject_new);
        assertThat(config.transport()).isEqualTo(TransportKind.core);
        assertThat(config.sandbox()).isFalse();
        assertThat(config.flags()).isEqualTo(FeatureFlags.BASELINE);
    }

    @Test
    void anOpenBreakerTriesAgainAfterFiveSecondsUnlessToldOtherwise() {
        // 5 s keeps recovery from an HTTP outage inside the 10 s target (docs/benchmarks-chaos.md)
        assertThat(parse(Map.of()).resilience().breakerDelay()).isEqualTo(java.time.Duration.ofSeconds(5));
        assertThat(parse(Map.of("WORKER_BREAKER_DELAY_MS", "30000")).resilience().breakerDelay()).isEqualTo(java.time.Duration.ofSeconds(30));
        assertThat(parse(Map.of("WORKER_BREAKER_DELAY_MS", "30000"), "--breaker-delay-ms", "750").resilience().breakerDelay())
                .isEqualTo(java.time.Duration.ofMillis(750));
    }

    @Test
    void environmentIsUsedWhenNoFlagIsGiven() {
        WorkerConfig config = parse(Map.of("WORKER_IO_POOL_SIZE", "32", "NATS_URL", "nats://a:1,nats://b:2",
                "PROMETHEUS_ENDPOINT", "127.0.0.1:9999", "WORKER_SANDBOX_MODE", "TRUE", "WORKER_DATA_DIR", "/tmp/d"));

        assertThat(config.ioPoolSize()).isEqualTo(32);
        assertThat(config.natsUrls()).containsExactly("nats://a:1", "nats://b:2");
        assertThat(config.prometheusEndpoint().port()).isEqualTo(9999);
        assertThat(config.sandbox()).isTrue();
        assertThat(config.dataDir()).isEqualTo(Path.of("/tmp/d"));
    }

    @Test
    void flagsBeatTheEnvironment() {
        WorkerConfig config = parse(Map.of("WORKER_IO_POOL_SIZE", "32", "NATS_URL", "nats://env:1"),
                "--io-pool-size", "4", "--nats-url", "nats://flag:2");

        assertThat(config.ioPoolSize()).isEqualTo(4);
        assertThat(config.natsUrls()).containsExactly("nats://flag:2");
    }

    @Test
    void sqlConnectionsAreNamed() {
        WorkerConfig config = parse(Map.of(), "--sql-connection", "reports=jdbc:postgresql://db/reports",
                "--sql-connection", "crm=jdbc:mariadb://db/crm");

        assertThat(config.sql().namedConnections()).containsEntry("reports", "jdbc:postgresql://db/reports").containsKey("crm");
    }

    @Test
    void theDefaultWorkerIdIsHostPidRandom() {
        String id = parse(Map.of()).workerId();

        assertThat(id).matches(".+-" + ProcessHandle.current().pid() + "-[0-9a-f]{8}");
        assertThat(id).doesNotStartWith(ProcessHandle.current().pid() + "-");
    }

    @Test
    void anOnOffVariableMustSayOnOrOff() {
        assertThat(parse(Map.of("WORKER_HTTP_FOLLOW_REDIRECTS", "YES")).http().followRedirects()).isTrue();
        assertThat(parse(Map.of("WORKER_HTTP_FOLLOW_REDIRECTS", "no")).http().followRedirects()).isFalse();
        assertThat(parse(Map.of("WORKER_SANDBOX_MODE", "")).sandbox()).isFalse();
        assertThatThrownBy(() -> parse(Map.of("WORKER_HTTP_DENY_PRIVATE", "on")))
                .as("'on' is not off: private addresses stayed reachable")
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--http-deny-private").hasMessageContaining("WORKER_HTTP_DENY_PRIVATE");
        assertThatThrownBy(() -> parse(Map.of("WORKER_SANDBOX_MODE", "maybe")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--sandbox");
    }

    @Test
    void aSqlConnectionNameGivenTwiceIsAnError() {
        assertThatThrownBy(() -> parse(Map.of(), "--sql-connection", "db=jdbc:postgresql://a/x", "--sql-connection", "db=jdbc:postgresql://b/x"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--sql-connection").hasMessageContaining("\"db\" is given more than once");
        assertThatThrownBy(() -> parse(Map.of("WORKER_SQL_CONNECTIONS", "db=jdbc:postgresql://a/x,db=jdbc:mariadb://b/x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--sql-connection").hasMessageContaining("WORKER_SQL_CONNECTIONS");
        assertThatThrownBy(() -> parse(Map.of(), "--sql-connection", "no-equals-sign"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--sql-connection");
    }

    @ParameterizedTest
    @CsvSource({"--io-pool-size, 0", "--gpu-pool-size, -2", "--max-memory-mb, 0", "--max-cpu-time-ms, 0",
            "--queue-policy, lifo", "--transport, kafka", "--prometheus-endpoint, 9092", "--nats-url, localhost:4222",
            "--sql-connection, x=postgres://db"})
    void badValuesAreRejectedNamingTheOption(String option, String value) {
        assertThatThrownBy(() -> parse(Map.of(), option, value))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(option);
    }

    @ParameterizedTest
    @CsvSource({"--retry-budget-ratio, NaN, between 0 and 10", "--retry-budget-ratio, -0.1, between 0 and 10",
            "--intake-threads, 65, at most 64", "--retry-max-attempts, 101, at most 100",
            "--max-cpu-time-ms, -1, must be > 0", "--max-cpu-time-ms, 0, must be > 0", "--data-dir, '', must name a directory"})
    void valuesThatOnceStartedOrSaidTwoThingsAreRefusedWithOneMessage(String option, String value, String message) {
        assertThatThrownBy(() -> parse(Map.of(), option + "=" + value))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(option).hasMessageContaining(message);
    }

    @Test
    void aDataDirThatCannotBeCreatedIsExplainedInWordsNotAnExceptionsName(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path file = java.nio.file.Files.writeString(tmp.resolve("a-file"), "x");
        WorkerConfig config = parse(Map.of(), "--data-dir", file.resolve("below").toString());

        assertThatThrownBy(config::prepareDataDir)
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--data-dir").hasMessageNotContaining("java.nio");
    }

    @ParameterizedTest
    @CsvSource({"true, true", "TRUE, true", "1, true", "yes, true", "Yes, true", "false, false", "0, false", "on, false", "'', false"})
    void featureFlagsAcceptTrueOneAndYesInAnyCase(String value, boolean expected) {
        FeatureFlags flags = FeatureFlags.fromEnvironment(Map.of(FeatureFlags.ADVANCED_RETRY, value));

        assertThat(flags.advancedRetry()).isEqualTo(expected);
        assertThat(flags.cancellation()).isFalse();
    }
}
