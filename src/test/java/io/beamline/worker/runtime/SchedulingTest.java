package io.beamline.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.RejectReason;
import io.beamline.worker.contract.StepStatus;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.GateBlock;
import io.beamline.worker.support.InProcessWorker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pools, bounded queues, fairness and quotas (SPEC §1, §5; the seeds' multi-tenancy). */
class SchedulingTest {
    private static final Map<String, String> BOUNDED = Map.of("CP2_QUEUE_MANAGEMENT_ENABLED", "true");
    private final GateBlock gate = new GateBlock();

    private static ObjectNode step(String tenant, String path) {
        ObjectNode assignment = Assignments.fsGet(path);
        assignment.put("tenant_id", tenant);
        return assignment;
    }

    @Test
    void theQueueFillsAndRejectsExactlyAtItsLimit() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), BOUNDED, "--io-pool-size", "2", "--max-queue-size", "5")) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ids.add(worker.submit(step("t", "/" + i)));
            }

            List<ExecAssignmentAck> acks = worker.sink.acks;
            assertThat(acks.stream().filter(a -> a.status() == ExecAssignmentAck.Status.ACCEPTED)).hasSize(2 + 5);
            List<ExecAssignmentAck> rejected = acks.stream().filter(a -> a.status() == ExecAssignmentAck.Status.REJECTED).toList();
            assertThat(rejected).hasSize(3).allSatisfy(a -> {
                assertThat(a.reason()).isEqualTo(RejectReason.QUEUE_FULL);
                assertThat(a.errorCode()).isEqualTo(ErrorCode.SYSTEM_OVERLOAD);
                assertThat(a.retryAfterMs()).isPositive();
            });
            assertThat(rejected).extracting(ExecAssignmentAck::assignmentId).containsExactlyElementsOf(ids.subList(7, 10));

            gate.openWide();
            ids.subList(0, 7).forEach(id -> worker.awaitResult(id, Duration.ofSeconds(5)));
        }
    }

    @Test
    void dropOldestEvictsTheOldestQueuedStepWithARetryable4002Result() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), BOUNDED,
                "--io-pool-size", "1", "--max-queue-size", "2", "--queue-policy", "drop_oldest")) {
            String running = worker.submit(step("t", "/running"));
            await().until(() -> gate.started.size() == 1);
            String oldest = worker.submit(step("t", "/oldest"));
            String middle = worker.submit(step("t", "/middle"));
            String newest = worker.submit(step("t", "/newest"));

            var evicted = worker.awaitResult(oldest, Duration.ofSeconds(5));
            assertThat(evicted.status()).isEqualTo(StepStatus.ERROR);
            assertThat(evicted.error().code()).isEqualTo(ErrorCode.SYSTEM_OVERLOAD);
            assertThat(evicted.error().retryable()).isTrue();
            assertThat(worker.sink.acks).allMatch(a -> a.status() == ExecAssignmentAck.Status.ACCEPTED);

            gate.openWide();
            for (String id : List.of(running, middle, newest)) {
                assertThat(worker.awaitResult(id, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);
            }
        }
    }

    @Test
    void dropOldestEvictsNothingForAStepThatWouldNotFitTheMemoryBudgetAnyway() {
        // a 256 KiB budget for queued work (a quarter of --max-memory-mb): two small steps fit, one of
        // ~300 KB (~600 KB decoded) does not, even in the place of the oldest
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), BOUNDED, "--io-pool-size", "1",
                "--max-queue-size", "2", "--queue-policy", "drop_oldest", "--max-memory-mb", "1")) {
            String running = worker.submit(step("t", "/running"));
            await().until(() -> gate.started.size() == 1);
            String oldest = worker.submit(step("t", "/oldest"));
            String newer = worker.submit(step("t", "/newer"));
            ObjectNode huge = step("t", "/huge");
            huge.put("bench_padding", "x".repeat(300_000));

            String refused = worker.submit(huge);

            ExecAssignmentAck ack = worker.sink.acks.stream().filter(a -> a.assignmentId().equals(refused)).findFirst().orElseThrow();
            assertThat(ack.status()).isEqualTo(ExecAssignmentAck.Status.REJECTED);
            assertThat(ack.reason()).isEqualTo(RejectReason.QUEUE_FULL);
            assertThat(ack.message()).contains("memory budget");
            assertThat(worker.sink.results).as("nothing evicted for it").isEmpty();

            // the queue is as it was: a small step still takes the oldest's place
            String newest = worker.submit(step("t", "/newest"));
            assertThat(worker.awaitResult(oldest, Duration.ofSeconds(5)).error().code()).isEqualTo(ErrorCode.SYSTEM_OVERLOAD);
            gate.openWide();
            for (String id : List.of(running, newer, newest)) {
                assertThat(worker.awaitResult(id, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);
            }
        }
    }

    @Test
    void withQueueManagementOffTheQueueIsUnbounded() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--io-pool-size", "1", "--max-queue-size", "5")) {
            for (int i = 0; i < 50; i++) {
                worker.submit(step("t", "/" + i));
            }

            assertThat(worker.sink.acks).hasSize(50).allMatch(a -> a.status() == ExecAssignmentAck.Status.ACCEPTED);
            gate.openWide();
            await().atMost(Duration.ofSeconds(10)).until(() -> worker.sink.results.size() == 50);
        }
    }

    @Test
    void theMemoryBudgetRefusesWith4002EvenWhenQueuesAreUnbounded() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--io-pool-size", "1", "--max-memory-mb", "1")) {
            for (int i = 0; i < 2000; i++) {
                worker.submit(step("t", "/" + i));
            }

            var rejected = worker.sink.acks.stream().filter(a -> a.status() == ExecAssignmentAck.Status.REJECTED).toList();
            assertThat(rejected).isNotEmpty().allMatch(a -> a.reason() == RejectReason.QUEUE_FULL && a.errorCode().code() == 4002);
            long accepted = worker.sink.acks.size() - rejected.size();
            assertThat(accepted).isLessThan(2000);
            gate.openWide();
            await().atMost(Duration.ofSeconds(10)).until(() -> worker.sink.results.size() == accepted);
        }
    }

    @Test
    void aFloodingTenantDoesNotStarveALightOne() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--io-pool-size", "4")) {
            // given: a flood of 10,000 steps from one tenant, then 10 from another
            Map<String, Long> submittedAt = new java.util.HashMap<>();
            for (int i = 0; i < 10_000; i++) {
                submittedAt.put("flood:/f" + i, System.nanoTime());
                worker.submit(step("flood", "/f" + i));
            }
            for (int i = 0; i < 10; i++) {
                submittedAt.put("light:/l" + i, System.nanoTime());
                worker.submit(step("light", "/l" + i));
            }

            // when: the steps are let through at a steady pace
            Thread releaser = Thread.ofVirtual().start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    gate.release(50);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            await().atMost(Duration.ofSeconds(60)).until(() -> worker.sink.results.size() == 10_010);
            releaser.interrupt();

            // then: the light tenant's waits are far shorter (figures printed; only the order asserted)
            double lightP95 = p95WaitMs(gate, submittedAt, "light:");
            double floodP95 = p95WaitMs(gate, submittedAt, "flood:");
            System.out.printf("fairness: p95 wait light tenant %.1f ms, flood tenant %.1f ms (10,000 vs 10 steps, 4 slots)%n",
                    lightP95, floodP95);
            assertThat(lightP95).isLessThan(floodP95);
            assertThat(gate.started.lastIndexOf("light:/l9")).as("light tenant's last start").isLessThan(100);
        }
    }

    private static double p95WaitMs(GateBlock gate, Map<String, Long> submittedAt, String prefix) {
        List<Double> waits = submittedAt.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> (gate.startedAt.get(e.getKey()) - e.getValue()) / 1e6).sorted().toList();
        return waits.get((int) Math.ceil(waits.size() * 0.95) - 1);
    }

    @Test
    void weightedSchedulingGivesHeavierTenantsMoreTurns() throws Exception {
        Path quotas = Files.createTempFile("quotas", ".json");
        Files.writeString(quotas, "{\"tenants\":{\"gold\":{\"weight\":3}}}");
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--io-pool-size", "1",
                "--scheduling", "weighted", "--tenant-quotas", quotas.toString())) {
            String blocker = worker.submit(step("x", "/blocker"));
            await().until(() -> gate.started.size() == 1);
            for (int i = 0; i < 30; i++) {
                worker.submit(step("gold", "/g" + i));
                worker.submit(step("bronze", "/b" + i));
            }

            gate.openWide();
            await().atMost(Duration.ofSeconds(10)).until(() -> worker.sink.results.size() == 61);
            List<String> first20 = gate.started.subList(1, 21);
            long gold = first20.stream().filter(s -> s.startsWith("gold")).count();
            assertThat(gold).isBetween(14L, 16L);  // 3 turns to 1
        }
    }

    @Test
    void priorityModeRunsHigherPriorityFirst() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--io-pool-size", "1", "--scheduling", "priority")) {
            worker.submit(step("x", "/blocker"));
            await().until(() -> gate.started.size() == 1);
            for (int i = 0; i < 5; i++) {
                worker.submit(step("a", "/low" + i).put("priority", 1));
            }
            worker.submit(step("b", "/urgent").put("priority", 9));

            gate.openWide();
            await().atMost(Duration.ofSeconds(10)).until(() -> worker.sink.results.size() == 7);
            assertThat(gate.started.get(1)).isEqualTo("b:/urgent");
        }
    }

    @Test
    void aTenantAtItsConcurrencyLimitDoesNotBlockOthers() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--io-pool-size", "4", "--tenant-max-concurrent", "1")) {
            worker.submit(step("busy", "/1"));
            worker.submit(step("busy", "/2"));
            worker.submit(step("other", "/3"));

            await().atMost(Duration.ofSeconds(5)).until(() -> gate.started.size() == 2);
            assertThat(gate.started).containsExactlyInAnyOrder("busy:/1", "other:/3");
            gate.openWide();
            await().atMost(Duration.ofSeconds(5)).until(() -> worker.sink.results.size() == 3);
        }
    }

    @Test
    void executionsBeyondATenantsQuotaAreRejectedWith2004AndARetryAfter() {
        gate.openWide();
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--tenant-max-executions", "3",
                "--quota-window-ms", "60000")) {
            for (int i = 0; i < 5; i++) {
                worker.submit(step("metered", "/" + i));
            }
            worker.submit(step("unmetered-neighbour", "/n"));

            var rejected = worker.sink.acks.stream().filter(a -> a.status() == ExecAssignmentAck.Status.REJECTED).toList();
            assertThat(rejected).hasSize(2).allSatisfy(a -> {
                assertThat(a.reason()).isEqualTo(RejectReason.QUOTA_EXCEEDED);
                assertThat(a.errorCode().code()).isEqualTo(2004);
                assertThat(a.retryAfterMs()).isBetween(1L, 60_000L);
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> worker.sink.results.size() == 4);
        }
    }

    @Test
    void aStepOnAVirtualThreadIsChargedItsWallTimeAgainstTheTenantsCpuQuota() throws InterruptedException {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--max-cpu-time-ms", "100",
                "--quota-window-ms", "600000")) {
            String held = worker.submit(step("timed", "/held"));
            await().atMost(Duration.ofSeconds(5)).until(() -> gate.started.size() == 1);
            Thread.sleep(300);  // fs steps run on virtual threads, where the JVM measures no CPU time
            gate.openWide();
            assertThat(worker.awaitResult(held, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);

            worker.submit(step("timed", "/next"));
            worker.submit(step("neighbour", "/next"));

            var rejected = worker.sink.acks.stream().filter(a -> a.status() == ExecAssignmentAck.Status.REJECTED).toList();
            assertThat(rejected).singleElement().satisfies(a -> {
                assertThat(a.reason()).isEqualTo(RejectReason.QUOTA_EXCEEDED);
                assertThat(a.message()).contains("timed", "CPU time");
            });
        }
    }

    @Test
    void bytesInFlightBeyondATenantsQuotaAreRejected() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), Map.of(), "--io-pool-size", "1",
                "--tenant-max-bytes-in-flight", "1000")) {
            for (int i = 0; i < 10; i++) {  // ~250 payload bytes each, held in flight by the gate
                worker.submit(step("heavy", "/" + i));
            }

            assertThat(worker.sink.acks.stream().filter(a -> a.reason() == RejectReason.QUOTA_EXCEEDED)).isNotEmpty();
            assertThat(worker.sink.acks.stream().filter(a -> a.status() == ExecAssignmentAck.Status.ACCEPTED)).hasSizeBetween(2, 4);
            gate.openWide();
        }
    }

    @Test
    void everyAcceptedStepEndsWithAResultUnderMixedPressure() {
        try (InProcessWorker worker = new InProcessWorker(gate.registry(), BOUNDED, "--io-pool-size", "3",
                "--max-queue-size", "20", "--queue-policy", "drop_oldest", "--tenant-max-concurrent", "2")) {
            for (int i = 0; i < 500; i++) {
                worker.submit(step("t" + (i % 7), "/" + i));
                if (i % 10 == 0) {
                    gate.release(5);
                }
            }
            gate.openWide();

            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var accepted = worker.sink.acks.stream().filter(a -> a.status() == ExecAssignmentAck.Status.ACCEPTED)
                        .map(ExecAssignmentAck::assignmentId).toList();
                assertThat(worker.sink.results).hasSize(accepted.size());
                assertThat(worker.sink.results.stream().map(r -> r.assignmentId()).distinct().count()).isEqualTo(accepted.size());
            });
        }
    }
}
