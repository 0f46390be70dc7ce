package io.beamline.worker.block.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FsConfigTest {
    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void defaultsFollowTheSpec() {
        FsConfig config = FsConfig.defaults(true);

        assertThat(config.maxWriteBytes()).isEqualTo(64L * 1024 * 1024);
        assertThat(config.maxInlineBytes()).isEqualTo(960L * 1024);  // with the result around it, under a default NATS message
        assertThat(config.operationTimeouts()).isTrue();
        assertThat(config.readTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.writeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.deleteTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(FsConfig.defaults(false).operationTimeouts()).isFalse();
    }

    @Test
    void writeLimitMustBePositive() {
        assertThatThrownBy(() -> new FsConfig(0, 1024, false, SECOND, SECOND, SECOND))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--fs-max-write-bytes must be between 1 and 2147483639, got 0");
    }

    @Test
    void inlineLimitMayBeZeroButNotNegativeOrBeyondAnArray() {
        assertThat(new FsConfig(1, 0, false, SECOND, SECOND, SECOND).maxInlineBytes()).isZero();
        assertThatThrownBy(() -> new FsConfig(1, -1, false, SECOND, SECOND, SECOND))
                .hasMessageStartingWith("--fs-max-inline-bytes must be between 0 and");
        assertThatThrownBy(() -> new FsConfig(1, 1L << 31, false, SECOND, SECOND, SECOND))
                .hasMessageStartingWith("--fs-max-inline-bytes must be between 0 and");
    }

    @Test
    void timeoutsMustBePositive() {
        assertThatThrownBy(() -> new FsConfig(1, 1, true, Duration.ZERO, SECOND, SECOND))
                .hasMessage("--fs-read-timeout-ms must be > 0, got 0");
        assertThatThrownBy(() -> new FsConfig(1, 1, true, SECOND, Duration.ofMillis(-5), SECOND))
                .hasMessage("--fs-write-timeout-ms must be > 0, got -5");
        assertThatThrownBy(() -> new FsConfig(1, 1, true, SECOND, SECOND, null))
                .hasMessage("--fs-delete-timeout-ms must be > 0, got nothing");
    }
}
