package io.beamline.worker.runtime;

import static io.beamline.worker.runtime.TestSteps.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.contract.ResourcePool;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The pool's accounting when a step starts without waiting (no trip through the tenants' lanes) and when it waits. */
class PoolTest {
    private final QueueMemory memory = new QueueMemory(1 << 20);

    @Test
    void aStepThatFindsThePoolIdleStartsAtOnceAndHoldsItsMemoryUntilItHasRun() {
        try (Pool pool = new Pool(ResourcePool.IO, new Pool.Limits(2, 10, false, SchedulingMode.round_robin), memory,
                QuotaConfig.unlimited())) {
            Step step = step("a-1");
            assertThat(pool.reserve(step)).isInstanceOf(Pool.Admission.Reserved.class);
            assertThat(memory.usedBytes()).isEqualTo(step.estimatedBytes());

            pool.enqueue(step);

            // started under the pool's lock before enqueue returns: running, not queued; its
            // memory stays counted while it runs (a running step holds its assignment too)
            assertThat(pool.queueDepth()).isZero();
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.activeCount() == 0 && memory.usedBytes() == 0);
        }
    }

    @Test
    void manyStepsThroughThePoolLeaveNoQueueMemoryBehind() {
        // a budget for all of them: whether a step starts at once or waits depends on how fast the
        // pool's one thread gets through the others, and both ways must give its memory back
        QueueMemory roomy = new QueueMemory(64L << 20);
        try (Pool pool = new Pool(ResourcePool.IO, new Pool.Limits(1, 0, false, SchedulingMode.round_robin), roomy,
                QuotaConfig.unlimited())) {
            for (int i = 0; i < 1_000; i++) {
                Step step = step("b-" + i);
                assertThat(pool.reserve(step)).isInstanceOf(Pool.Admission.Reserved.class);
                pool.enqueue(step);
            }

            await().atMost(Duration.ofSeconds(5)).until(() -> pool.activeCount() == 0 && pool.queueDepth() == 0);
            assertThat(roomy.usedBytes()).isZero();
        }
    }
}
