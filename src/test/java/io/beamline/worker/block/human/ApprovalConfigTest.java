package io.beamline.worker.block.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApprovalConfigTest {

    @Test
    void defaultsWaitADayAndKeepFinishedApprovalsAMonth() {
        ApprovalConfig config = ApprovalConfig.defaults("https://approvals.example.com/worker-1/");

        assertThat(config.publicUrl()).isEqualTo("https://approvals.example.com/worker-1");
        assertThat(config.defaultTimeout()).isEqualTo(Duration.ofHours(24));
        assertThat(config.retention()).isEqualTo(Duration.ofDays(30));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "localhost:9091", "ftp://host/", "http://", "http://host/?a=b", "http://host/#x", "http://host /"})
    void publicUrlMustBeAnAbsoluteWebUrl(String url) {
        assertThatThrownBy(() -> ApprovalConfig.defaults(url))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("--public-url must be an absolute http:// or https:// URL");
    }

    @Test
    void defaultTimeoutMustBePositiveAndAtMostThirtyDays() {
        assertThatThrownBy(() -> new ApprovalConfig("http://host", Duration.ZERO, Duration.ofDays(1)))
                .hasMessage("--approval-default-timeout-ms must be > 0 and at most 30 days, got 0");
        assertThatThrownBy(() -> new ApprovalConfig("http://host", Duration.ofDays(31), Duration.ofDays(1)))
                .hasMessageStartingWith("--approval-default-timeout-ms must be > 0");
    }

    @Test
    void retentionMustBePositive() {
        assertThatThrownBy(() -> new ApprovalConfig("http://host", Duration.ofHours(1), Duration.ZERO))
                .hasMessage("--approval-retention-days must be > 0, got 0");
    }
}
