package io.beamline.worker.block.human;

import static io.beamline.worker.block.human.ApprovalHarness.approval;
import static io.beamline.worker.block.human.ApprovalHarness.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ApprovalOutput;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.StepResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HumanApprovalBlockTest {
    @TempDir
    Path dataDir;
    ApprovalHarness harness;
    HumanApprovalBlock block;

    @BeforeEach
    void start() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        block = new HumanApprovalBlock(harness.service);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void approvedStepSucceedsWithTheApproversDecision() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        CompletableFuture<StepResult> result = runOnVirtualThread(assignment);
        awaitNotified(assignment);

        harness.decide(assignment.assignmentId(), "ann", true, "Looks good");

        StepResult.Succeeded succeeded = (StepResult.Succeeded) result.get(5, TimeUnit.SECONDS);
        ApprovalOutput output = (ApprovalOutput) succeeded.output();
        assertThat(output.approved()).isTrue();
        assertThat(output.approver()).isEqualTo("ann");
        assertThat(output.comment()).isEqualTo("Looks good");
    }

    @Test
    void theApprovalIsResumedAfterARestartUntilItsResultIsPublished() throws Exception {
        ExecAssignment assignment = approvedAndReturned();

        assertThat(harness.service.pendingAssignments()).as("returned, not yet published").containsExactly(assignment);
        block.resultPublished(assignment);
        assertThat(harness.service.pendingAssignments()).isEmpty();
    }

    @Test
    void aPublishedResultOfAnotherTenantsStepLeavesTheApprovalAlone() throws Exception {
        ExecAssignment assignment = approvedAndReturned();

        var sameIdOtherTenant = io.beamline.worker.support.Assignments.withJob(
                "{\"type\":\"human.approval\",\"prompt\":\"p\",\"approvers\":[\"ann\"]}");
        sameIdOtherTenant.put("assignment_id", assignment.assignmentId()).put("tenant_id", "tenant-b");
        block.resultPublished(((io.beamline.worker.contract.Decoded.Valid) new io.beamline.worker.contract.AssignmentDecoder()
                .decode(io.beamline.worker.support.Assignments.bytes(sameIdOtherTenant))).assignment());

        assertThat(harness.service.pendingAssignments()).containsExactly(assignment);
    }

    /** An approval that ann approved and whose step has returned, its result not yet published. */
    private ExecAssignment approvedAndReturned() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        CompletableFuture<StepResult> result = runOnVirtualThread(assignment);
        awaitNotified(assignment);
        harness.decide(assignment.assignmentId(), "ann", true, "");
        result.get(5, TimeUnit.SECONDS);
        return assignment;
    }

    @Test
    void rejectedStepAlsoSucceedsWithApprovedFalse() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        CompletableFuture<StepResult> result = runOnVirtualThread(assignment);
        awaitNotified(assignment);

        harness.decide(assignment.assignmentId(), "ann", false, "no");

        StepResult.Succeeded succeeded = (StepResult.Succeeded) result.get(5, TimeUnit.SECONDS);
        assertThat(((ApprovalOutput) succeeded.output()).approved()).isFalse();
    }

    @Test
    void stepWithoutDecisionBeforeTheDeadlineTimesOutWith5002() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "\"timeout_ms\":300");

        StepResult result = runOnVirtualThread(assignment).get(5, TimeUnit.SECONDS);

        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
    }

    @Test
    void interruptingTheStepCancelsTheApproval() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread step = Thread.ofVirtual().start(() -> {
            try {
                block.execute(job(assignment), context(assignment));
                thrown.complete(null);
            } catch (Throwable t) {
                thrown.complete(t);
            }
        });
        awaitNotified(assignment);

        step.interrupt();

        assertThat(thrown.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(harness.service.find(assignment.assignmentId()).orElseThrow().state()).isEqualTo(ApprovalState.CANCELLED);
        assertThat(harness.decide(assignment.assignmentId(), "ann", true, "").statusCode()).isEqualTo(410);
        block.resultPublished(assignment);  // the runtime's cancelled result is out
        assertThat(harness.service.pendingAssignments()).isEmpty();
    }

    @Test
    void interruptionAtShutdownLeavesTheApprovalPendingForTheNextStart() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        Thread step = Thread.ofVirtual().start(() -> {
            try {
                block.execute(job(assignment), context(assignment));
            } catch (InterruptedException expected) {
                // the runtime reports the interrupted step
            }
        });
        awaitNotified(assignment);

        harness.service.close();
        step.interrupt();
        step.join(5_000);

        assertThat(step.isAlive()).isFalse();
        assertThat(harness.store.find(assignment.assignmentId()).orElseThrow().state()).isEqualTo(ApprovalState.PENDING);
        assertThat(harness.service.pendingAssignments()).extracting(ExecAssignment::assignmentId)
                .containsExactly(assignment.assignmentId());
    }

    @Test
    void aThousandPendingApprovalsEachParkOnlyAVirtualThread() throws Exception {
        int count = 1_000;
        List<ExecAssignment> assignments = new ArrayList<>();
        List<CompletableFuture<StepResult>> results = new ArrayList<>();
        Runtime runtime = Runtime.getRuntime();
        long heapBefore = runtime.totalMemory() - runtime.freeMemory();
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            ExecAssignment assignment = approval("[\"ann\"]", "");
            assignments.add(assignment);
            results.add(runOnVirtualThread(assignment));
        }
        await().atMost(Duration.ofSeconds(120)).until(() -> harness.notifier.sent().size() == count);
        long heapPending = runtime.totalMemory() - runtime.freeMemory();
        System.out.printf("%d approvals opened and parked in %d ms; heap %d MiB -> %d MiB (information only)%n",
                count, (System.nanoTime() - started) / 1_000_000, heapBefore >> 20, heapPending >> 20);
        assertThat(harness.service.pending(java.util.Optional.of("tenant-a"))).hasSize(count);

        for (ExecAssignment assignment : assignments) {
            harness.service.decide(assignment.assignmentId(),
                    new Decision("ann", harness.notifier.token(assignment.assignmentId(), "ann"), true, ""));
        }

        for (CompletableFuture<StepResult> result : results) {
            assertThat(result.get(60, TimeUnit.SECONDS)).isInstanceOf(StepResult.Succeeded.class);
        }
        System.out.printf("all %d decided and delivered after %d ms (information only)%n",
                count, (System.nanoTime() - started) / 1_000_000);
    }

    private CompletableFuture<StepResult> runOnVirtualThread(ExecAssignment assignment) {
        CompletableFuture<StepResult> result = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.complete(block.execute(job(assignment), context(assignment)));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    private void awaitNotified(ExecAssignment assignment) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !harness.notifier.sentFor(assignment.assignmentId()).isEmpty());
    }

    private static StepContext context(ExecAssignment assignment) {
        return new StepContext(assignment, 1, "worker-test");
    }
}
