package io.beamline.worker.block.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    @Test
    void secondsBecomeMilliseconds() {
        assertThat(RetryAfter.millis("120", NOW)).hasValue(120_000);
    }

    @Test
    void httpDateBecomesTheWaitFromNow() {
        assertThat(RetryAfter.millis("Sat, 01 Mar 2025 12:00:30 GMT", NOW)).hasValue(30_000);
    }

    @Test
    void dateInThePastMeansNoWait() {
        assertThat(RetryAfter.millis("Sat, 01 Mar 2025 11:00:00 GMT", NOW)).hasValue(0);
    }

    @Test
    void absurdWaitsAreCappedAtADay() {
        assertThat(RetryAfter.millis("99999999", NOW)).hasValue(86_400_000);
    }

    @Test
    void garbageIsIgnored() {
        assertThat(RetryAfter.millis("soon", NOW)).isEmpty();
        assertThat(RetryAfter.millis("-5", NOW)).isEmpty();
    }
}
