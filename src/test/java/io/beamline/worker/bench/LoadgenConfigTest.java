package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.config.ConfigException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoadgenConfigTest {
    private static final List<String> URLS = List.of("nats://127.0.0.1:4222");

    @Test
    void defaultsAreAValidUnpacedRunOfFsGet() {
        LoadgenConfig config = LoadgenConfig.defaults(URLS);

        assertThat(config.rate()).isZero();
        assertThat(config.mix().types()).containsExactly("fs.get");
        assertThat(config.count()).isPositive();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "--count, 0, 0, 1, 0, 1000, 0, 0, 0, 0, run",
        "--rate, 10, -1, 1, 0, 1000, 0, 0, 0, 0, run",
        "--tenants, 10, 0, 0, 0, 1000, 0, 0, 0, 0, run",
        "--payload-bytes, 10, 0, 1, -5, 1000, 0, 0, 0, 0, run",
        "--timeout-ms, 10, 0, 1, 0, 0, 0, 0, 0, 0, run",
        "--warmup, 10, 0, 1, 0, 1000, -1, 0, 0, 0, run",
        "--cancel-fraction, 10, 0, 1, 0, 1000, 0, 1.5, 0, 0, run",
        "--max-in-flight, 10, 0, 1, 0, 1000, 0, 0, -1, 0, run",
        "--duration-ms, 10, 0, 1, 0, 1000, 0, 0, 0, -1, run",
        "--label, 10, 0, 1, 0, 1000, 0, 0, 0, 0, 'a label with spaces'",
    })
    void aBadValueIsRefusedNamingItsOption(String option, long count, double rate, int tenants, int payloadBytes,
                                           long timeoutMs, long warmup, double cancelFraction, int maxInFlight,
                                           long durationMs, String label) {
        assertThatThrownBy(() -> new LoadgenConfig(URLS, count, rate, tenants, JobMix.parse("fs.get"), payloadBytes,
                timeoutMs, warmup, cancelFraction, maxInFlight, durationMs, label))
                .isInstanceOf(ConfigException.class).hasMessageStartingWith(option);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "--http-url, 'ftp://example.com/x', ''",
        "--http-url, 'http://127.0.0.1/a\"b', ''",
        "--outcome-stream, http://127.0.0.1:9/bench, 'CAF.OUTCOMES'",
    })
    void aBadUrlOrStreamNameIsRefused(String option, String httpUrl, String stream) {
        assertThatThrownBy(() -> new LoadgenConfig(URLS, 10, 0, 1, JobMix.parse("fs.get"), 0, 1000, 0, 0, 0, 0, "run",
                httpUrl, stream)).isInstanceOf(ConfigException.class).hasMessageStartingWith(option);
    }

    @Test
    void aRunWithoutServersIsRefused() {
        assertThatThrownBy(() -> LoadgenConfig.defaults(List.of())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--nats-url");
    }
}
