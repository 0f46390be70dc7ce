package io.beamline.worker.block.human;

import static io.beamline.worker.block.human.ApprovalHarness.approval;
import static io.beamline.worker.block.human.ApprovalHarness.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.contract.ExecAssignment;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker that stops and starts again on the same data dir keeps its approvals. */
class ApprovalRestartTest {
    @TempDir
    Path dataDir;
    ApprovalHarness harness;

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void pendingApprovalSurvivesARestartAndItsDecisionReachesTheResumedStep() throws Exception {
        // given an approval pending when the worker stops
        harness = ApprovalHarness.start(dataDir);
        ExecAssignment assignment = approval("[\"ann\",\"bob\"]", "\"timeout_ms\":60000");
        harness.service.open(assignment, job(assignment));
        String annsToken = harness.notifier.token(assignment.assignmentId(), "ann");

        // when a new worker starts on the same data dir and resumes what is pending
        harness = harness.restart();
        assertThat(harness.service.pendingAssignments()).containsExactly(assignment);
        CompletableFuture<ApprovalOutcome> resumed = harness.service.open(assignment, job(assignment));
        var response = harness.post(ApprovalHarness.decisionPath(assignment.assignmentId()),
                ApprovalHarness.decisionBody("ann", annsToken, true, "after the restart"));

        // then the link sent before the restart still works, and no second notification went out
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(ApprovalServiceTest.decided(resumed).comment()).isEqualTo("after the restart");
        assertThat(harness.notifier.sentFor(assignment.assignmentId())).hasSize(1);
    }

    @Test
    void approversNotifiedWithLinksToAnotherUrlAreNotifiedAgainWithLinksToThisWorker() throws Exception {
        // given an approval notified by a worker at one URL
        harness = ApprovalHarness.start(dataDir);
        ExecAssignment assignment = approval("[\"ann\"]", "\"timeout_ms\":60000");
        harness.service.open(assignment, job(assignment));
        String oldToken = harness.notifier.token(assignment.assignmentId(), "ann");

        // when the store is resumed by a worker reached at another URL (workers sharing a data
        // dir came back in another order and swapped stores)
        harness = harness.restartElsewhere();
        CompletableFuture<ApprovalOutcome> resumed = harness.service.open(assignment, job(assignment));

        // then the approvers get new links to this worker, which work; the old ones no longer do
        assertThat(harness.notifier.sentFor(assignment.assignmentId())).hasSize(2);
        assertThat(harness.notifier.link(assignment.assignmentId(), "ann")).startsWith(harness.baseUrl() + "/approvals/ui?");
        assertThat(harness.post(ApprovalHarness.decisionPath(assignment.assignmentId()),
                ApprovalHarness.decisionBody("ann", oldToken, true, "")).statusCode()).isEqualTo(403);
        assertThat(harness.decide(assignment.assignmentId(), "ann", true, "new link").statusCode()).isEqualTo(200);
        assertThat(ApprovalServiceTest.decided(resumed).comment()).isEqualTo("new link");

        // and a later restart at that URL does not notify a third time
        harness = harness.restart();
        assertThat(harness.notifier.sentFor(assignment.assignmentId())).hasSize(2);
    }

    @Test
    void deadlineSetBeforeARestartIsKeptAfterIt() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        ExecAssignment assignment = approval("[\"ann\"]", "\"timeout_ms\":1500");
        harness.service.open(assignment, job(assignment));
        long deadline = harness.service.find(assignment.assignmentId()).orElseThrow().deadline();

        harness = harness.restart();
        ApprovalOutcome outcome = harness.service.open(assignment, job(assignment)).get(10, TimeUnit.SECONDS);

        assertThat(outcome).isEqualTo(new ApprovalOutcome.Expired(deadline));
        Approval expired = harness.service.find(assignment.assignmentId()).orElseThrow();
        assertThat(expired.deadline()).isEqualTo(deadline);
        assertThat(expired.audit().getLast().at()).isGreaterThanOrEqualTo(deadline);
    }

    @Test
    void deadlineThatPassedWhileTheWorkerWasDownExpiresWhenItStarts() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        ExecAssignment assignment = approval("[\"ann\"]", "\"timeout_ms\":300,\"on_timeout\":\"reject\"");
        harness.service.open(assignment, job(assignment));
        long deadline = harness.service.find(assignment.assignmentId()).orElseThrow().deadline();
        harness.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > deadline + 200);

        harness = ApprovalHarness.start(dataDir);

        await().atMost(Duration.ofSeconds(5))
                .until(() -> harness.service.find(assignment.assignmentId()).orElseThrow().state() == ApprovalState.REJECTED);
        assertThat(harness.service.pendingAssignments()).containsExactly(assignment);
        ApprovalOutcome outcome = harness.service.open(assignment, job(assignment)).get(5, TimeUnit.SECONDS);
        assertThat(((ApprovalOutcome.Decided) outcome).output().approver()).isEqualTo(Approval.TIMEOUT_APPROVER);
    }

    @Test
    void decisionNoStepCollectedBeforeACrashIsDeliveredAfterTheRestart() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        ExecAssignment assignment = approval("[\"ann\"]", "");
        harness.service.open(assignment, job(assignment));
        harness.decide(assignment.assignmentId(), "ann", false, "decided just before the crash");

        harness = harness.restart();
        assertThat(harness.service.pendingAssignments()).containsExactly(assignment);
        ApprovalOutcome outcome = harness.service.open(assignment, job(assignment)).get(5, TimeUnit.SECONDS);
        harness.service.collected(assignment.assignmentId(), assignment.tenantId());

        assertThat(((ApprovalOutcome.Decided) outcome).output().comment()).isEqualTo("decided just before the crash");
        assertThat(harness.restart().service.pendingAssignments()).isEmpty();
    }

    @Test
    void approversNeverNotifiedBeforeTheStopAreNotifiedWhenTheStepResumes() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        harness.notifier.failNext(1_000);
        ExecAssignment assignment = approval("[\"ann\"]", "");
        harness.service.open(assignment, job(assignment));
        harness.notifier.failNext(0);

        harness = harness.restart();
        CompletableFuture<ApprovalOutcome> resumed = harness.service.open(assignment, job(assignment));
        assertThat(harness.notifier.sentFor(assignment.assignmentId())).hasSize(1);
        harness.decide(assignment.assignmentId(), "ann", true, "");

        assertThat(ApprovalServiceTest.decided(resumed).approved()).isTrue();
    }

    @Test
    void finishedApprovalsArePurgedAfterTheRetentionButPendingOnesStay() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        ExecAssignment finished = approval("[\"ann\"]", "");
        harness.service.open(finished, job(finished));
        harness.decide(finished.assignmentId(), "ann", true, "");
        harness.service.collected(finished.assignmentId(), finished.tenantId());
        ExecAssignment pending = approval("[\"ann\"]", "\"timeout_ms\":" + Duration.ofDays(30).toMillis());
        harness.service.open(pending, job(pending));

        harness = harness.restart(Clock.offset(Clock.systemUTC(), Duration.ofDays(31)));

        assertThat(harness.service.find(finished.assignmentId())).isEmpty();
        assertThat(harness.service.find(pending.assignmentId())).isPresent();
    }

    @Test
    void aSecondWorkerOnTheSameDataDirGetsAStoreOfItsOwnAndARestartedOneItsOldStoreBack() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        ExecAssignment first = approval("[\"ann\"]", "");
        harness.service.open(first, job(first));

        try (ApprovalStore second = ApprovalStore.open(dataDir)) {
            assertThat(second.file()).isNotEqualTo(harness.store.file());
            assertThat(second.file().getFileName().toString()).isEqualTo("approvals-1.sqlite");
            assertThat(second.find(first.assignmentId())).as("the first worker's approvals stay its own").isEmpty();

            harness = harness.restart(Clock.systemUTC());  // the first worker again, while the second runs

            assertThat(harness.store.file().getFileName().toString()).isEqualTo("approvals.sqlite");
            assertThat(harness.service.find(first.assignmentId())).as("resumed from its slot").isPresent();
        }
    }
}
