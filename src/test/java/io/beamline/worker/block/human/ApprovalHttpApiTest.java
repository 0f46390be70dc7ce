package io.beamline.worker.block.human;

import static io.beamline.worker.block.human.ApprovalHarness.approval;
import static io.beamline.worker.block.human.ApprovalHarness.decisionBody;
import static io.beamline.worker.block.human.ApprovalHarness.decisionPath;
import static io.beamline.worker.block.human.ApprovalHarness.job;
import static io.beamline.worker.block.human.ApprovalHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.ExecAssignment;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApprovalHttpApiTest {
    @TempDir
    Path dataDir;
    ApprovalHarness harness;
    ExecAssignment assignment;
    String id;
    CompletableFuture<ApprovalOutcome> outcome;

    @BeforeEach
    void start() throws Exception {
        harness = ApprovalHarness.start(dataDir);
        assignment = approval("[\"ann\",\"bob\"]", "\"required_approvals\":2");
        id = assignment.assignmentId();
        outcome = harness.service.open(assignment, job(assignment));
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void listsPendingApprovalsOfOneTenantOrOfAll() throws Exception {
        ExecAssignment other = ApprovalHarness.assignment("tenant-b",
                "{\"type\":\"human.approval\",\"prompt\":\"Other?\",\"approvers\":[\"zed\"]}");
        harness.service.open(other, job(other));

        JsonNode tenantA = json(harness.get("/approvals?tenant_id=tenant-a")).get("approvals");
        JsonNode all = json(harness.get("/approvals")).get("approvals");

        assertThat(tenantA).hasSize(1);
        assertThat(tenantA.get(0).get("id").textValue()).isEqualTo(id);
        assertThat(tenantA.get(0).get("prompt").textValue()).isEqualTo("Ship release 4.2?");
        assertThat(all).hasSize(2);
        assertThat(json(harness.get("/approvals?tenant_id=nobody")).get("approvals")).isEmpty();
    }

    @Test
    void showsOneApprovalWithVotesAndAuditTrailButNeverATokenOrItsHash() throws Exception {
        harness.decide(id, "ann", true, "fine");
        harness.post(decisionPath(id), decisionBody("bob", "not-bobs-token", true, ""));

        HttpResponse<String> response = harness.get("/approvals/" + id);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = json(response);
        assertThat(body.get("state").textValue()).isEqualTo("pending");
        assertThat(body.get("required_approvals").intValue()).isEqualTo(2);
        assertThat(body.get("approvers")).hasSize(2);
        assertThat(body.get("deadline").longValue()).isPositive();
        assertThat(body.get("votes")).hasSize(1);
        assertThat(body.get("audit")).hasSize(2);
        assertThat(body.get("audit").get(1).get("outcome").textValue()).isEqualTo("wrong_token");
        assertThat(body.get("audit").get(1).get("accepted").booleanValue()).isFalse();
        assertThat(response.body()).doesNotContain(harness.notifier.token(id, "ann"), harness.notifier.token(id, "bob"))
                .doesNotContain("hash");
    }

    @Test
    void acceptedDecisionAnswers200WithTheUpdatedApproval() throws Exception {
        HttpResponse<String> first = harness.decide(id, "ann", true, "one");
        HttpResponse<String> second = harness.decide(id, "bob", true, "two");

        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(json(first).get("state").textValue()).isEqualTo("pending");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(json(second).get("state").textValue()).isEqualTo("approved");
        assertThat(json(second).get("result").get("approver").textValue()).isEqualTo("bob");
        assertThat(ApprovalServiceTest.decided(outcome).comment()).isEqualTo("two");
    }

    @Test
    void wrongTokenIsRefused403AndChangesNothing() throws Exception {
        String annsToken = harness.notifier.token(id, "ann");
        assertRefusedWithoutChange(decisionBody("ann", annsToken + "x", true, ""), 403, "wrong_token");
        assertRefusedWithoutChange(decisionBody("bob", annsToken, true, ""), 403, "wrong_token");
    }

    @Test
    void unlistedApproverIsRefused403AndChangesNothing() throws Exception {
        assertRefusedWithoutChange(decisionBody("mallory", harness.notifier.token(id, "ann"), true, ""), 403, "not_an_approver");
    }

    @Test
    void decisionOnADecidedApprovalIsRefused409AndChangesNothing() throws Exception {
        harness.decide(id, "ann", false, "no");

        assertRefusedWithoutChange(decisionBody("bob", harness.notifier.token(id, "bob"), true, ""), 409, "already_decided");
    }

    @Test
    void secondVoteOfTheSameApproverIsRefused409AndChangesNothing() throws Exception {
        harness.decide(id, "ann", true, "yes");

        assertRefusedWithoutChange(decisionBody("ann", harness.notifier.token(id, "ann"), true, "again"), 409, "already_voted");
    }

    @Test
    void decisionAfterTheDeadlineIsRefused410AndChangesNothing() throws Exception {
        ExecAssignment short_ = approval("[\"ann\"]", "\"timeout_ms\":300");
        id = short_.assignmentId();
        harness.service.open(short_, job(short_));
        await().atMost(Duration.ofSeconds(5)).until(() -> !harness.service.find(id).orElseThrow().isPending());

        assertRefusedWithoutChange(decisionBody("ann", harness.notifier.token(id, "ann"), true, ""), 410, "past_deadline");
    }

    @Test
    void decisionOnACancelledApprovalIsRefused410() throws Exception {
        harness.service.cancel(id, "router cancelled");

        assertRefusedWithoutChange(decisionBody("ann", harness.notifier.token(id, "ann"), true, ""), 410, "cancelled");
    }

    @Test
    void decisionForAnUnknownIdIsRefused404() throws Exception {
        HttpResponse<String> response = harness.post(decisionPath("no-such-approval"), decisionBody("ann", "t", true, ""));

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("reason").textValue()).isEqualTo("unknown_id");
        assertThat(harness.get("/approvals/no-such-approval").statusCode()).isEqualTo(404);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "not json", "[1,2]", "{\"approver\":\"ann\",\"token\":\"t\"}", "{\"approver\":\"ann\",\"token\":\"t\",\"approved\":\"yes\"}",
        "{\"token\":\"t\",\"approved\":true}", "{\"approver\":\"\",\"token\":\"t\",\"approved\":true}",
        "{\"approver\":\"ann\",\"token\":\"\",\"approved\":true}", "{\"approver\":7,\"token\":\"t\",\"approved\":true}",
        "{\"approver\":\"ann\",\"token\":\"t\",\"approved\":true,\"comment\":42}",
        "{\"approver\":\"ann\",\"token\":\"t\",\"approved\":true} trailing"})
    void malformedBodyIsRefused400AndChangesNothing(String body) throws Exception {
        assertRefusedWithoutChange(body, 400, "malformed");
    }

    @Test
    void oversizedBodyIsRefused413AndChangesNothing() throws Exception {
        String huge = decisionBody("ann", harness.notifier.token(id, "ann"), true, "x".repeat(70_000));

        assertRefusedWithoutChange(huge, 413, "too_large");
    }

    @Test
    void overlongCommentIsRefused400() throws Exception {
        String body = decisionBody("ann", harness.notifier.token(id, "ann"), true, "x".repeat(Decision.MAX_COMMENT_CHARS + 1));

        assertRefusedWithoutChange(body, 400, "malformed");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/decision", "/", "/nothing/here"})
    void aPathNoHandlerServesIsAJson404NotFound(String path) throws Exception {
        for (HttpResponse<String> response : List.of(harness.post(path, "{}"), harness.get(path))) {
            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
            assertThat(json(response).get("reason").textValue()).isEqualTo("not_found");
            assertThat(json(response).get("error").textValue()).isNotBlank();
        }
    }

    @Test
    void wrongMethodsAreRefused405AndUnknownPathsAre404() throws Exception {
        assertThat(harness.get(decisionPath(id)).statusCode()).isEqualTo(405);
        assertThat(harness.post("/approvals/" + id, "{}").statusCode()).isEqualTo(405);
        assertThat(harness.post("/approvals", "{}").statusCode()).isEqualTo(405);
        assertThat(harness.get("/approvals/" + id + "/votes").statusCode()).isEqualTo(404);
        assertThat(harness.get("/approvalsx").statusCode()).isEqualTo(404);
        assertThat(ApprovalHttpHandler.segments("/approvals/%zz")).isEmpty();
        assertThat(ApprovalHttpHandler.segments("/approvals//decision")).isEmpty();
    }

    @Test
    void everyAttemptAcceptedOrRefusedIsInTheAuditTrailWithItsReason() throws Exception {
        harness.post(decisionPath(id), "garbage");
        harness.post(decisionPath(id), decisionBody("mallory", "t", true, ""));
        harness.decide(id, "ann", true, "ok");
        harness.decide(id, "ann", true, "ok again");

        List<AuditEntry> audit = harness.service.find(id).orElseThrow().audit();

        assertThat(audit).extracting(AuditEntry::outcome)
                .containsExactly("malformed", "not_an_approver", "accepted", "already_voted");
        assertThat(audit).extracting(AuditEntry::approver).containsExactly(null, "mallory", "ann", "ann");
        assertThat(audit).allSatisfy(entry -> assertThat(entry.detail()).isNotBlank());
    }

    @Test
    void firstDecisionWinsWhenTwentyApproversPostAtOnce() throws Exception {
        List<String> approvers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            approvers.add("approver-" + i);
        }
        ExecAssignment crowded = approval(io.beamline.worker.contract.Json.writeString(approvers), "");
        String crowdedId = crowded.assignmentId();
        CompletableFuture<ApprovalOutcome> crowdedOutcome = harness.service.open(crowded, job(crowded));
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> responses = new ArrayList<>();

        try (var threads = Executors.newFixedThreadPool(20)) {
            for (int i = 0; i < 20; i++) {
                String approver = approvers.get(i);
                boolean approved = i % 2 == 0;
                responses.add(threads.submit(() -> {
                    go.await();
                    return harness.decide(crowdedId, approver, approved, "vote of " + approver);
                }));
            }
            go.countDown();
        }

        List<HttpResponse<String>> winners = new ArrayList<>();
        for (Future<HttpResponse<String>> response : responses) {
            HttpResponse<String> answered = response.get();
            assertThat(answered.statusCode()).isIn(200, 409);
            if (answered.statusCode() == 200) {
                winners.add(answered);
            }
        }
        assertThat(winners).hasSize(1);
        String winner = json(winners.getFirst()).get("result").get("approver").textValue();
        assertThat(ApprovalServiceTest.decided(crowdedOutcome).approver()).isEqualTo(winner);
        Approval finished = harness.service.find(crowdedId).orElseThrow();
        assertThat(finished.votes()).hasSize(1);
        assertThat(finished.audit()).hasSize(20);
    }

    @Test
    void idsWithSlashesSpacesAndPlusSignsAreAddressable() throws Exception {
        ExecAssignment odd = ApprovalHarness.assignment("tenant-a",
                "{\"type\":\"human.approval\",\"prompt\":\"odd\",\"approvers\":[\"ann\"]}");
        odd = new ExecAssignment(odd.version(), "run/7 step+1", odd.requestId(), odd.tenantId(), odd.traceId(),
                null, null, null, odd.executor(), null, null, null, odd.job());
        CompletableFuture<ApprovalOutcome> oddOutcome = harness.service.open(odd, job(odd));

        assertThat(harness.get("/approvals/run%2F7%20step%2B1").statusCode()).isEqualTo(200);
        assertThat(harness.get("/approvals/run%2F7%20step+1").statusCode()).isEqualTo(200);
        assertThat(harness.decide("run/7 step+1", "ann", true, "").statusCode()).isEqualTo(200);
        assertThat(ApprovalServiceTest.decided(oddOutcome).approved()).isTrue();
    }

    /** Posts {@code body}, expects the refusal, and checks nothing but the audit trail moved. */
    private void assertRefusedWithoutChange(String body, int status, String reason) throws Exception {
        Approval before = harness.service.find(id).orElseThrow();

        HttpResponse<String> response = harness.post(decisionPath(id), body);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(json(response).get("reason").textValue()).isEqualTo(reason);
        assertThat(json(response).get("error").textValue()).isNotBlank();
        Approval after = harness.service.find(id).orElseThrow();
        assertThat(after.withoutAudit()).isEqualTo(before.withoutAudit());
        assertThat(after.audit()).hasSize(before.audit().size() + 1);
        assertThat(after.audit().getLast().accepted()).isFalse();
        assertThat(after.audit().getLast().outcome()).isEqualTo(reason);
    }
}
