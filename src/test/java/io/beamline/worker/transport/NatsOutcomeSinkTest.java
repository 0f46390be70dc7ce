package io.beamline.worker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.runtime.OutcomeTooLargeException;
import org.junit.jupiter.api.Test;

/** The size check before a result is published, without a server. */
class NatsOutcomeSinkTest {

    @Test
    void aResultOverTheServersLimitIsRefusedBeforeAnythingIsSent() {
        assertThat(NatsOutcomeSink.fitting(new byte[100], 100)).hasSize(100);
        assertThatThrownBy(() -> NatsOutcomeSink.fitting(new byte[101], 100))
                .isInstanceOfSatisfying(OutcomeTooLargeException.class, e -> {
                    assertThat(e.sizeBytes()).isEqualTo(101);
                    assertThat(e.limitBytes()).isEqualTo(100);
                });
    }

    @Test
    void anUnknownLimitRefusesNothing() {
        // jnats reports -1 while it has no server info: every result must not turn into an error then
        assertThat(NatsOutcomeSink.fitting(new byte[5_000_000], -1)).hasSize(5_000_000);
    }
}
