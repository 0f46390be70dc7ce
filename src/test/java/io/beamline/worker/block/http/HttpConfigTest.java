package io.beamline.worker.block.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HttpConfigTest {

    @Test
    void defaultsMatchTheSpecification() {
        HttpConfig config = HttpConfig.defaults(false);

        assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.defaultTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.followRedirects()).isFalse();
        assertThat(config.maxResponseBytes()).isEqualTo(10L * 1024 * 1024);
        assertThat(config.maxDownloadBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(config.destinations().denyPrivate()).isFalse();
    }

    @Test
    void zeroTimeoutIsRejectedNamingTheOption() {
        assertThatThrownBy(() -> HttpConfig.defaults(true).withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--http-connect-timeout-ms must be > 0, got 0");
    }

    @Test
    void inlineLimitBeyondAnArrayIsRejected() {
        assertThatThrownBy(() -> HttpConfig.defaults(false).withLimits(Long.MAX_VALUE, 1))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--http-max-response-bytes");
    }
}
