package io.beamline.worker.block.human;

import static io.beamline.worker.block.human.ApprovalHarness.approval;
import static io.beamline.worker.block.human.ApprovalHarness.job;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.contract.ApprovalOutput;
import io.beamline.worker.contract.ExecAssignment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApprovalServiceTest {
    @TempDir
    Path dataDir;
    ApprovalHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = ApprovalHarness.start(dataDir);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void openingStoresTheApprovalAndSendsEachApproverTheirOwnLink() {
        ExecAssignment assignment = approval("[\"ann@example.com\",\"bob@example.com\"]", "\"timeout_ms\":60000");

        harness.service.open(assignment, job(assignment));

        Approval stored = harness.service.find(assignment.assignmentId()).orElseThrow();
        assertThat(stored.state()).isEqualTo(ApprovalState.PENDING);
        assertThat(stored.prompt()).isEqualTo("Ship release 4.2?");
        assertThat(stored.deadline() - stored.createdAt()).isEqualTo(60_000);
        ApprovalRequested sent = harness.notifier.sentFor(assignment.assignmentId()).getFirst();
        assertThat(sent.tenantId()).isEqualTo("tenant-a");
        assertThat(sent.traceId()).isEqualTo(assignment.traceId());
        assertThat(sent.deadline()).isEqualTo(stored.deadline());
        assertThat(sent.links()).extracting(ApprovalRequested.Link::approver)
                .containsExactly("ann@example.com", "bob@example.com");
        assertThat(sent.links().getFirst().url())
                .startsWith(harness.baseUrl() + "/approvals/ui?id=" + assignment.assignmentId() + "&approver=ann%40example.com&token=");
        assertThat(harness.notifier.token(assignment.assignmentId(), "ann@example.com"))
                .hasSizeGreaterThanOrEqualTo(43)
                .isNotEqualTo(harness.notifier.token(assignment.assignmentId(), "bob@example.com"));
    }

    @Test
    void oneApprovalDecidesByDefault() throws Exception {
        ExecAssignment assignment = approval("[\"ann\",\"bob\"]", "");
        CompletableFuture<ApprovalOutcome> outcome = harness.service.open(assignment, job(assignment));

        decide(assignment, "bob", true, "Looks good");

        ApprovalOutput output = decided(outcome);
        assertThat(output.approved()).isTrue();
        assertThat(output.approver()).isEqualTo("bob");
        assertThat(output.comment()).isEqualTo("Looks good");
        assertThat(output.approvedAt()).isPositive();
    }

    @Test
    void quorumWaitsUntilEnoughApproversApproved() throws Exception {
        ExecAssignment assignment = approval("[\"ann\",\"bob\",\"cy\"]", "\"required_approvals\":2");
        CompletableFuture<ApprovalOutcome> outcome = harness.service.open(assignment, job(assignment));

        decide(assignment, "ann", true, "fine by me");
        assertThat(outcome).isNotDone();
        assertThat(harness.service.find(assignment.assignmentId()).orElseThrow().votes()).hasSize(1);
        decide(assignment, "cy", true, "ok");

        ApprovalOutput output = decided(outcome);
        assertThat(output.approved()).isTrue();
        assertThat(output.approver()).isEqualTo("cy");
    }

    @Test
    void anyRejectionRejectsEvenWhenTheQuorumWasNotReached() throws Exception {
        ExecAssignment assignment = approval("[\"ann\",\"bob\",\"cy\"]", "\"required_approvals\":2");
        CompletableFuture<ApprovalOutcome> outcome = harness.service.open(assignment, job(assignment));

        decide(assignment, "ann", true, "");
        decide(assignment, "bob", false, "not this week");

        ApprovalOutput output = decided(outcome);
        assertThat(output.approved()).isFalse();
        assertThat(output.approver()).isEqualTo("bob");
        assertThat(output.comment()).isEqualTo("not this week");
        assertThat(harness.service.find(assignment.assignmentId()).orElseThrow().state()).isEqualTo(ApprovalState.REJECTED);
    }

    @Test
    void deadlineWithoutDecisionExpiresWhenOnTimeoutIsFail() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "\"timeout_ms\":300");

        ApprovalOutcome outcome = harness.service.open(assignment, job(assignment)).get(5, TimeUnit.SECONDS);

        assertThat(outcome).isInstanceOf(ApprovalOutcome.Expired.class);
        Approval expired = harness.service.find(assignment.assignmentId()).orElseThrow();
        assertThat(expired.state()).isEqualTo(ApprovalState.EXPIRED);
        assertThat(expired.audit().getLast().at()).isGreaterThanOrEqualTo(expired.deadline());
        assertThat(expired.audit().getLast().approver()).isEqualTo(Approval.TIMEOUT_APPROVER);
    }

    @Test
    void deadlineApprovesWhenOnTimeoutIsApprove() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "\"timeout_ms\":300,\"on_timeout\":\"approve\"");

        ApprovalOutput output = decided(harness.service.open(assignment, job(assignment)));

        assertThat(output.approved()).isTrue();
        assertThat(output.approver()).isEqualTo(Approval.TIMEOUT_APPROVER);
        assertThat(harness.service.find(assignment.assignmentId()).orElseThrow().state()).isEqualTo(ApprovalState.APPROVED);
    }

    @Test
    void deadlineRejectsWhenOnTimeoutIsReject() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "\"timeout_ms\":300,\"on_timeout\":\"reject\"");

        ApprovalOutput output = decided(harness.service.open(assignment, job(assignment)));

        assertThat(output.approved()).isFalse();
        assertThat(output.approver()).isEqualTo(Approval.TIMEOUT_APPROVER);
    }

    @Test
    void openingTheSameAssignmentAgainRejoinsTheApprovalWithoutNotifyingAgain() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        CompletableFuture<ApprovalOutcome> first = harness.service.open(assignment, job(assignment));

        CompletableFuture<ApprovalOutcome> second = harness.service.open(assignment, job(assignment));
        decide(assignment, "ann", true, "");

        assertThat(harness.notifier.sentFor(assignment.assignmentId())).hasSize(1);
        assertThat(decided(second)).isEqualTo(decided(first));
    }

    @Test
    void cancellingEndsAPendingApprovalAsCancelled() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        CompletableFuture<ApprovalOutcome> outcome = harness.service.open(assignment, job(assignment));

        assertThat(harness.service.cancel(assignment.assignmentId(), "cancelled by the router"))
                .containsInstanceOf(ApprovalOutcome.Cancelled.class);

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isEqualTo(new ApprovalOutcome.Cancelled("cancelled by the router"));
        assertThat(harness.service.find(assignment.assignmentId()).orElseThrow().state()).isEqualTo(ApprovalState.CANCELLED);
    }

    @Test
    void cancellingAfterTheDecisionKeepsTheDecision() throws Exception {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        harness.service.open(assignment, job(assignment));
        decide(assignment, "ann", true, "");

        ApprovalOutcome outcome = harness.service.cancel(assignment.assignmentId(), "too late").orElseThrow();

        assertThat(outcome).isInstanceOf(ApprovalOutcome.Decided.class);
        assertThat(harness.service.find(assignment.assignmentId()).orElseThrow().state()).isEqualTo(ApprovalState.APPROVED);
    }

    @Test
    void anotherTenantCannotRejoinAnApprovalByReusingItsAssignmentId() throws Exception {
        ExecAssignment original = approval("[\"ann\"]", "");
        harness.service.open(original, job(original));
        ExecAssignment impostor = new ExecAssignment(original.version(), original.assignmentId(), original.requestId(),
                "tenant-b", original.traceId(), null, null, null, original.executor(), null, null, null, original.job());

        ApprovalOutcome outcome = harness.service.open(impostor, job(impostor)).get(5, TimeUnit.SECONDS);

        assertThat(outcome).isInstanceOf(ApprovalOutcome.Refused.class);
        assertThat(harness.service.find(original.assignmentId()).orElseThrow().tenantId()).isEqualTo("tenant-a");
    }

    @Test
    void repeatedApproversCountOnceAndTheQuorumIsCappedToThem() throws Exception {
        ExecAssignment assignment = approval("[\"ann\",\"ann\",\"bob\"]", "\"required_approvals\":3");
        CompletableFuture<ApprovalOutcome> outcome = harness.service.open(assignment, job(assignment));

        decide(assignment, "ann", true, "");
        decide(assignment, "bob", true, "");

        assertThat(decided(outcome).approved()).isTrue();
        Approval approval = harness.service.find(assignment.assignmentId()).orElseThrow();
        assertThat(approval.approvers()).containsExactly("ann", "bob");
        assertThat(approval.requiredApprovals()).isEqualTo(2);
    }

    @Test
    void aFailedNotificationIsRetriedWithFreshTokens() {
        harness.notifier.failNext(1);
        ExecAssignment assignment = approval("[\"ann\"]", "");

        harness.service.open(assignment, job(assignment));

        await().atMost(Duration.ofSeconds(10)).until(() -> harness.notifier.sentFor(assignment.assignmentId()).size() == 1);
        String token = harness.notifier.token(assignment.assignmentId(), "ann");
        assertThat(harness.service.decide(assignment.assignmentId(), new Decision("ann", token, true, "")))
                .isInstanceOf(DecisionOutcome.Accepted.class);
    }

    @Test
    void refusedAttemptsBeyondTheAuditCapAreCountedNotStored() {
        ExecAssignment assignment = approval("[\"ann\"]", "");
        harness.service.open(assignment, job(assignment));

        for (int i = 0; i < ApprovalStore.MAX_AUDIT_ENTRIES + 5; i++) {
            harness.service.decide(assignment.assignmentId(), new Decision("ann", "guess-" + i, true, ""));
        }

        Approval approval = harness.service.find(assignment.assignmentId()).orElseThrow();
        assertThat(approval.audit()).hasSize(ApprovalStore.MAX_AUDIT_ENTRIES);
        assertThat(approval.auditOmitted()).isEqualTo(5);
        assertThat(approval.state()).isEqualTo(ApprovalState.PENDING);
    }

    private void decide(ExecAssignment assignment, String approver, boolean approved, String comment) {
        String id = assignment.assignmentId();
        DecisionOutcome outcome = harness.service.decide(id,
                new Decision(approver, harness.notifier.token(id, approver), approved, comment));
        assertThat(outcome).isInstanceOf(DecisionOutcome.Accepted.class);
    }

    static ApprovalOutput decided(CompletableFuture<ApprovalOutcome> outcome) throws Exception {
        ApprovalOutcome ended = outcome.get(5, TimeUnit.SECONDS);
        assertThat(ended).isInstanceOf(ApprovalOutcome.Decided.class);
        return ((ApprovalOutcome.Decided) ended).output();
    }
}
