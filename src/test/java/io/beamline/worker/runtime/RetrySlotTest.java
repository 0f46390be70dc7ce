package io.beamline.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.block.Block;
import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.FsGetJob;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.StepResult;
import io.beamline.worker.contract.StepStatus;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.InProcessWorker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A step waiting to retry gives its pool slot up for the wait and takes one again before its
 * next attempt: queued steps run meanwhile, and the pool's limit holds throughout. The baseline
 * retry (flags off) waits 100 ms, then 200 ms, and makes at most three attempts.
 */
class RetrySlotTest {
    private final FlakyBlock block = new FlakyBlock();

    @Test
    void aQueuedStepRunsWhileTheStepBeforeItWaitsToRetry() {
        try (InProcessWorker worker = new InProcessWorker(block.registry(), Map.of(), "--io-pool-size", "1")) {
            String flaky = worker.submit(step("/flaky/1"));
            String quick = worker.submit(step("/quick/1"));

            ExecResult quickResult = worker.awaitResult(quick, Duration.ofSeconds(5));
            ExecResult flakyResult = worker.awaitResult(flaky, Duration.ofSeconds(5));

            assertThat(quickResult.status()).isEqualTo(StepStatus.SUCCESS);
            assertThat(flakyResult.status()).isEqualTo(StepStatus.SUCCESS);
            assertThat(flakyResult.retriesUsed()).isEqualTo(2);
            assertThat(worker.sink.results).extracting(ExecResult::assignmentId)
                    .as("the quick step did not wait for the other's backoffs").containsExactly(quick, flaky);
            assertThat(block.mostAtOnce.get()).isEqualTo(1);
        }
    }

    @Test
    void thePoolLimitHoldsWhileStepsGiveUpAndTakeBackTheirSlots() {
        try (InProcessWorker worker = new InProcessWorker(block.registry(), Map.of(), "--io-pool-size", "2")) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                ids.add(worker.submit(step((i % 3 == 0 ? "/quick/" : "/flaky/") + i)));
            }

            for (String id : ids) {
                assertThat(worker.awaitResult(id, Duration.ofSeconds(20)).status()).isEqualTo(StepStatus.SUCCESS);
            }
            assertThat(block.mostAtOnce.get()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> worker.worker().pools().values().stream()
                    .allMatch(pool -> pool.activeCount() == 0 && pool.queueDepth() == 0));
        }
    }

    @Test
    void aStepCancelledWhileWaitingForItsSlotAgainEndsCancelledAndLeavesTheSlotCountRight() {
        // a backoff of one second (advanced retry, no jitter): time for the test to fill the slot
        try (InProcessWorker worker = new InProcessWorker(block.registry(),
                Map.of("CP2_CANCELLATION_ENABLED", "true", "CP2_ADVANCED_RETRY_ENABLED", "true"),
                "--io-pool-size", "1", "--retry-base-delay-ms", "1000", "--retry-jitter", "none")) {
            String flaky = worker.submit(step("/flaky/cancel-me"));
            await().pollInterval(Duration.ofMillis(2)).until(() -> block.failures.get() == 1);  // it backs off
            String held = worker.submit(step("/held/1"));   // takes the slot and keeps it
            await().pollInterval(Duration.ofMillis(2)).until(() -> block.holding.get() == 1);

            // the backoff ends with the slot taken: the step waits for it; then it is cancelled
            await().pollDelay(Duration.ofMillis(1_300)).atMost(Duration.ofSeconds(5)).until(() -> true);
            Step waiting = worker.worker().registry().inFlight(flaky).orElseThrow();
            assertThat(waiting.state()).as("waiting for a slot shows as backing off").isEqualTo(Step.State.BACKING_OFF);
            assertThat(waiting.attempt()).isEqualTo(1);
            worker.cancel(flaky, "tenant-a");
            ExecResult cancelled = worker.awaitResult(flaky, Duration.ofSeconds(5));

            assertThat(cancelled.status()).isEqualTo(StepStatus.CANCELLED);
            assertThat(block.failures.get()).as("no attempt ran without a slot").isEqualTo(1);
            block.release.release();
            assertThat(worker.awaitResult(held, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);
            String after = worker.submit(step("/quick/after"));
            assertThat(worker.awaitResult(after, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);
            await().atMost(Duration.ofSeconds(5)).until(() -> worker.worker().pools().values().stream()
                    .allMatch(pool -> pool.activeCount() == 0));
        }
    }

    @Test
    void aStepBackFromItsBackoffWaitsForItsTenantsLimitNotForOtherTenants() {
        // four slots, one running step per tenant; a backoff of one second, then two
        try (InProcessWorker worker = new InProcessWorker(block.registry(), Map.of("CP2_ADVANCED_RETRY_ENABLED", "true"),
                "--io-pool-size", "4", "--tenant-max-concurrent", "1", "--retry-base-delay-ms", "1000", "--retry-jitter", "none")) {
            String flaky = worker.submit(step("/flaky/limited"));
            await().pollInterval(Duration.ofMillis(2)).until(() -> block.failures.get() == 1);
            String held = worker.submit(step("/held/limited"));  // tenant-a's one running step meanwhile
            await().pollInterval(Duration.ofMillis(2)).until(() -> block.holding.get() == 1);

            await().pollDelay(Duration.ofMillis(1_300)).atMost(Duration.ofSeconds(5)).until(() -> true);
            Step waiting = worker.worker().registry().inFlight(flaky).orElseThrow();
            assertThat(waiting.attempt()).as("free slots, but its tenant is at its limit").isEqualTo(1);
            assertThat(waiting.state()).isEqualTo(Step.State.BACKING_OFF);
            ObjectNode other = Assignments.fsGet("/quick/other-tenant");
            other.put("tenant_id", "tenant-b");
            String otherId = worker.submit(other);
            assertThat(worker.awaitResult(otherId, Duration.ofSeconds(5)).status()).as("other tenants go on").isEqualTo(StepStatus.SUCCESS);

            block.release.release();
            assertThat(worker.awaitResult(held, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);
            ExecResult retried = worker.awaitResult(flaky, Duration.ofSeconds(10));
            assertThat(retried.status()).isEqualTo(StepStatus.SUCCESS);
            assertThat(retried.retriesUsed()).isEqualTo(2);
        }
    }

    private static ObjectNode step(String path) {
        ObjectNode assignment = Assignments.fsGet(path);
        assignment.put("tenant_id", "tenant-a");
        return assignment;
    }

    /**
     * {@code fs.get} of /flaky/… fails on its first two attempts; /held/… waits for a permit;
     * anything else succeeds at once. Counts how many attempts ran at the same moment. Stands in
     * for no outside system: it makes the pool's slots observable.
     */
    private static final class FlakyBlock implements Block<FsGetJob> {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger mostAtOnce = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger holding = new AtomicInteger();
        final Semaphore release = new Semaphore(0);

        BlockRegistry registry() {
            return BlockRegistry.builder().register(Job.FS_GET, this).build();
        }

        @Override
        public Class<FsGetJob> jobType() {
            return FsGetJob.class;
        }

        @Override
        public StepResult execute(FsGetJob job, StepContext context) throws InterruptedException {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
                Thread.sleep(5);  // long enough for overlapping attempts to be seen
                if (job.path().startsWith("/flaky/") && context.attempt() < 3) {
                    failures.incrementAndGet();
                    return StepResult.failed(ErrorCode.RESOURCE_UNAVAILABLE, "flaky", 5);
                }
                if (job.path().startsWith("/held/")) {
                    holding.incrementAndGet();
                    release.acquire();
                }
                return new StepResult.Succeeded(Map.of("path", job.path()), 5);
            } finally {
                running.decrementAndGet();
            }
        }
    }
}
