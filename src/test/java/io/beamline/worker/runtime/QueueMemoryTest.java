package io.beamline.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The memory budget for queued work: reservations up to the limit, and a replacement that is all or nothing. */
class QueueMemoryTest {
    private final QueueMemory memory = new QueueMemory(1_000);

    @Test
    void reservesUpToTheLimitAndNoFurther() {
        assertThat(memory.tryReserve(600)).isTrue();
        assertThat(memory.tryReserve(400)).isTrue();
        assertThat(memory.tryReserve(1)).isFalse();

        memory.release(400);
        assertThat(memory.usedBytes()).isEqualTo(600);
    }

    @Test
    void aReplacementThatWouldPassTheLimitChangesNothing() {
        memory.tryReserve(900);

        assertThat(memory.tryReplace(300, 500)).as("900 - 300 + 500 > 1000").isFalse();
        assertThat(memory.usedBytes()).isEqualTo(900);

        assertThat(memory.tryReplace(300, 400)).isTrue();
        assertThat(memory.usedBytes()).isEqualTo(1_000);
    }
}
