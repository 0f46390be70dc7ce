package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.ApprovalClient;
import io.beamline.worker.support.ApprovalClient.Answer;
import io.beamline.worker.support.ApprovalClient.Link;
import io.beamline.worker.support.ApprovalInbox;
import io.beamline.worker.support.ApprovalWorkers;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The "must hold" behaviour of {@code human.approval} through the real {@code bin/beamline-worker}
 * (real blocks, a durable store in a temporary data dir) over a real nats-server: the
 * notification an approver receives, a decision over HTTP with the link's token, the one
 * result on {@code caf.exec.result.v1}, every refusal, deadlines, and restarts (SIGTERM and
 * kill -9) that keep a pending approval decidable.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ApprovalsOverNatsIT {
    private static final String ALICE = "alice@example.com";
    private static final String BOB = "bob@example.com";
    private static final Duration SOON = Duration.ofSeconds(15);

    @TempDir
    static Path dataDir;

    private final ApprovalClient approvers = new ApprovalClient();
    private NatsServer nats;
    private NatsProbe router;
    private ApprovalInbox inbox;
    private WorkerProcess worker;
    private String workerUrl;

    @BeforeAll
    void start() throws Exception {
        nats = NatsServer.start();
        router = new NatsProbe(nats.url());
        inbox = new ApprovalInbox(nats.url());
        int healthPort = ApprovalWorkers.freeHealthPort();
        worker = ApprovalWorkers.serve(nats.url(), dataDir, healthPort);
        workerUrl = "http://127.0.0.1:" + healthPort;
    }

    @AfterAll
    void stop() throws Exception {
        inbox.close();
        router.close();
        worker.close();
        nats.close();
    }

    @Test
    void theApproverIsNotifiedDecidesThroughTheLinkAndTheStepSucceedsWithTheirDecision() throws Exception {
        ObjectNode assignment = approval("Ship release 4.2?", 60_000, null, ALICE, BOB);
        String id = assignment.get("assignment_id").asText();
        long sentAt = System.currentTimeMillis();

        router.publish(Assignments.bytes(assignment));
        JsonNode notification = awaitNotification(inbox, id);
        long notifiedAt = System.currentTimeMillis();

        assertThat(router.acksFor(id)).singleElement().satisfies(ack -> assertThat(ack.get("status").asText()).isEqualTo("accepted"));
        assertThat(notification.get("approval_id").asText()).isEqualTo(id);
        assertThat(notification.get("assignment_id").asText()).isEqualTo(id);
        assertThat(notification.get("tenant_id").asText()).isEqualTo("tenant-test");
        assertThat(notification.get("trace_id").asText()).isEqualTo(assignment.get("trace_id").asText());
        assertThat(notification.get("prompt").asText()).isEqualTo("Ship release 4.2?");
        assertThat(texts(notification.get("approvers"))).containsExactly(ALICE, BOB);
        assertThat(notification.get("deadline").asLong()).isBetween(sentAt + 60_000, notifiedAt + 60_000);
        List<Link> links = links(notification);
        assertThat(links).extracting(Link::approver).containsExactly(ALICE, BOB);
        for (JsonNode link : notification.get("links")) {
            assertThat(link.get("url").asText()).startsWith(workerUrl + "/approvals/ui?").contains("token=");
        }
        assertThat(links).allSatisfy(link -> assertThat(link.token()).matches("[A-Za-z0-9_-]{43}"));
        assertThat(links.get(0).token()).isNotEqualTo(links.get(1).token());
        assertThat(router.resultsFor(id)).isEmpty();

        Answer decided = approvers.decide(links.get(0), true, "Looks good");

        assertThat(decided.status()).isEqualTo(200);
        assertThat(decided.body().get("state").asText()).isEqualTo("approved");
        JsonNode result = awaitOneResult(router, id);
        assertThat(result.get("status").asText()).isEqualTo("success");
        assertThat(result.get("metadata").get("block_type").asText()).isEqualTo("human.approval");
        assertThat(fieldNames(result.get("result"))).isEqualTo(fieldNames(golden("result-human.json")));
        assertThat(result.get("result").get("approved").booleanValue()).isTrue();
        assertThat(result.get("result").get("approver").asText()).isEqualTo(ALICE);
        assertThat(result.get("result").get("comment").asText()).isEqualTo("Looks good");
        assertThat(result.get("result").get("approved_at").asLong()).isBetween(notifiedAt, System.currentTimeMillis());
        assertOnlyOneResultAfterAWhile(router, id);
    }

    @Test
    void aRejectionIsASuccessfulStepWhoseResultSaysNotApproved() throws Exception {
        ObjectNode assignment = approval("Delete the staging cluster?", 60_000, null, ALICE);
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        Link alice = links(awaitNotification(inbox, id)).getFirst();

        assertThat(approvers.decide(alice, false, "not this week").status()).isEqualTo(200);

        JsonNode result = awaitOneResult(router, id);
        assertThat(result.get("status").asText()).isEqualTo("success");
        assertThat(result.get("result").get("approved").booleanValue()).isFalse();
        assertThat(result.get("result").get("approver").asText()).isEqualTo(ALICE);
        assertThat(result.get("result").get("comment").asText()).isEqualTo("not this week");
        assertThat(approvers.get(workerUrl, id).body().get("state").asText()).isEqualTo("rejected");
    }

    @Test
    void onTimeoutFailEndsTheStepWithStatusTimeoutAndCode5002SoonAfterTheDeadline() throws Exception {
        ObjectNode assignment = approval("Nobody will answer", 1_000, "fail", ALICE);
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        long deadline = awaitNotification(inbox, id).get("deadline").asLong();

        JsonNode result = awaitOneResult(router, id);

        assertThat(result.get("status").asText()).isEqualTo("timeout");
        assertThat(result.get("error").get("code").intValue()).isEqualTo(5002);
        assertThat(result.get("completed_at").asLong()).isGreaterThanOrEqualTo(deadline);
        assertThat(approvers.get(workerUrl, id).body().get("state").asText()).isEqualTo("expired");
    }

    @Test
    void aWrongTokenOrAnUnlistedApproverIsForbiddenChangesNothingAndLocksNobodyOut() throws Exception {
        ObjectNode assignment = approval("Raise the spending limit?", 60_000, null, ALICE, BOB);
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        List<Link> links = links(awaitNotification(inbox, id));
        Link alice = links.get(0);
        Link bob = links.get(1);
        ObjectNode other = approval("Another question", 60_000, null, ALICE);
        router.publish(Assignments.bytes(other));
        Link aliceElsewhere = links(awaitNotification(inbox, other.get("assignment_id").asText())).getFirst();

        // another approver's token, a made-up one, the same approver's token for another approval
        refusedWithoutChange(id, 403, "wrong_token", () -> approvers.decide(workerUrl, id, ALICE, bob.token(), true, ""));
        refusedWithoutChange(id, 403, "wrong_token", () -> approvers.decide(workerUrl, id, ALICE, "x".repeat(43), true, ""));
        refusedWithoutChange(id, 403, "wrong_token", () -> approvers.decide(workerUrl, id, ALICE, aliceElsewhere.token(), true, ""));
        // an approver who is not listed, even holding a listed approver's token
        refusedWithoutChange(id, 403, "not_an_approver",
                () -> approvers.decide(workerUrl, id, "mallory@example.com", alice.token(), true, ""));
        assertThat(router.resultsFor(id)).isEmpty();

        assertThat(approvers.decide(alice, true, "fine").status()).isEqualTo(200);
        assertThat(awaitOneResult(router, id).get("result").get("approver").asText()).isEqualTo(ALICE);
    }

    @Test
    void aMalformedOrOversizedBodyIsABadRequestThatChangesNothing() throws Exception {
        ObjectNode assignment = approval("Rotate the keys?", 60_000, null, ALICE);
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        Link alice = links(awaitNotification(inbox, id)).getFirst();

        refusedWithoutChange(id, 400, "malformed", () -> approvers.post(workerUrl, id, "approve it"));
        refusedWithoutChange(id, 400, "malformed", () -> approvers.post(workerUrl, id, "[true]"));
        refusedWithoutChange(id, 400, "malformed", () -> approvers.post(workerUrl, id, "{\"approver\":\"" + ALICE + "\",\"approved\":true}"));
        refusedWithoutChange(id, 400, "malformed", () -> approvers.post(workerUrl, id,
                "{\"approver\":\"" + ALICE + "\",\"token\":\"" + alice.token() + "\",\"approved\":\"yes\"}"));
        // a body over the API's limit is answered 413 and audited as too_large
        refusedWithoutChange(id, 413, "too_large",
                () -> approvers.post(workerUrl, id, "{\"comment\":\"" + "x".repeat(70_000) + "\"}"));

        assertThat(router.resultsFor(id)).isEmpty();
        assertThat(approvers.get(workerUrl, id).body().get("state").asText()).isEqualTo("pending");
    }

    @Test
    void aDecisionForAnUnknownIdIsNotFoundAndCreatesNothing() throws Exception {
        String unknown = "no-such-approval-" + UUID.randomUUID();

        Answer answer = approvers.decide(workerUrl, unknown, ALICE, "x".repeat(43), true, "");

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.body().get("reason").asText()).isEqualTo("unknown_id");
        assertThat(approvers.get(workerUrl, unknown).status()).isEqualTo(404);
        assertThat(router.resultsFor(unknown)).isEmpty();
    }

    @Test
    void aSecondDecisionIsAConflictAndTheStepStillHasOneResult() throws Exception {
        ObjectNode assignment = approval("Merge the branch?", 60_000, null, ALICE, BOB);
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        List<Link> links = links(awaitNotification(inbox, id));
        assertThat(approvers.decide(links.get(0), true, "fine").status()).isEqualTo(200);
        awaitOneResult(router, id);

        // by the same approver or another
        refusedWithoutChange(id, 409, "already_decided", () -> approvers.decide(links.get(0), false, "changed my mind"));
        refusedWithoutChange(id, 409, "already_decided", () -> approvers.decide(links.get(1), false, "too late"));

        JsonNode approval = approvers.get(workerUrl, id).body();
        assertThat(approval.get("state").asText()).isEqualTo("approved");
        assertThat(approval.get("votes")).hasSize(1);
        assertThat(approval.get("result").get("approver").asText()).isEqualTo(ALICE);
        assertOnlyOneResultAfterAWhile(router, id);
    }

    @Test
    void aDecisionAfterTheDeadlineIsRefusedAsGone() throws Exception {
        ObjectNode assignment = approval("Answer within 1.5 s", 1_500, null, ALICE);
        String id = assignment.get("assignment_id").asText();
        router.publish(Assignments.bytes(assignment));
        Link alice = links(awaitNotification(inbox, id)).getFirst();
        awaitOneResult(router, id);

        refusedWithoutChange(id, 410, "past_deadline", () -> approvers.decide(alice, true, "sorry, I was away"));

        assertThat(approvers.get(workerUrl, id).body().get("state").asText()).isEqualTo("expired");
        assertThat(router.resultsFor(id)).singleElement()
                .satisfies(timedOut -> assertThat(timedOut.get("status").asText()).isEqualTo("timeout"));
    }

    @Test
    void anAssignmentIdWithSlashesSpacesAndNonAsciiIsAddressableThroughItsLink() throws Exception {
        ObjectNode assignment = approval("Odd id", 60_000, null, ALICE);
        String id = "tenant/2024 q4?run=1&x=ü#" + UUID.randomUUID();
        assignment.put("assignment_id", id);
        router.publish(Assignments.bytes(assignment));
        Link alice = links(awaitNotification(inbox, id)).getFirst();

        assertThat(alice.id()).isEqualTo(id);
        assertThat(approvers.get(workerUrl, id).body().get("id").asText()).isEqualTo(id);
        assertThat(approvers.decide(alice, true, "").status()).isEqualTo(200);
        assertThat(awaitOneResult(router, id).get("status").asText()).isEqualTo("success");
    }

    @Test
    void theLinksUseThePublicUrlWhenOneIsConfigured(@TempDir Path ownDataDir) throws Exception {
        try (NatsServer ownNats = NatsServer.start();
             NatsProbe ownRouter = new NatsProbe(ownNats.url());
             ApprovalInbox ownInbox = new ApprovalInbox(ownNats.url())) {
            int port = ApprovalWorkers.freeHealthPort();
            try (WorkerProcess behindProxy = ApprovalWorkers.serve(ownNats.url(), ownDataDir, port,
                    "--public-url", "https://approvals.example.com/worker-7/")) {
                ObjectNode assignment = approval("Behind a proxy", 60_000, null, ALICE);
                String id = assignment.get("assignment_id").asText();
                ownRouter.publish(Assignments.bytes(assignment));

                JsonNode link = awaitNotification(ownInbox, id).get("links").get(0);

                assertThat(link.get("url").asText()).startsWith("https://approvals.example.com/worker-7/approvals/ui?id=");
                Link alice = Link.of(link).onPort(port);
                assertThat(approvers.decide(alice, true, "via the proxy").status()).isEqualTo(200);
                assertThat(awaitOneResult(ownRouter, id).get("result").get("comment").asText()).isEqualTo("via the proxy");
            }
        }
    }

    @Test
    void aDeadlineThatPassesWhileTheWorkerIsDownEndsTheStepOnceItIsBack(@TempDir Path ownDataDir) throws Exception {
        try (NatsServer ownNats = NatsServer.start();
             NatsProbe ownRouter = new NatsProbe(ownNats.url());
             ApprovalInbox ownInbox = new ApprovalInbox(ownNats.url())) {
            int port = ApprovalWorkers.freeHealthPort();
            ObjectNode assignment = approval("Decide within 3 s", 3_000, "reject", ALICE);
            String id = assignment.get("assignment_id").asText();
            long deadline;
            try (WorkerProcess first = ApprovalWorkers.serve(ownNats.url(), ownDataDir, port)) {
                ownRouter.publish(Assignments.bytes(assignment));
                deadline = awaitNotification(ownInbox, id).get("deadline").asLong();
                assertThat(first.terminate(Duration.ofSeconds(30))).isZero();
            }
            Thread.sleep(Math.max(0, deadline - System.currentTimeMillis() + 500));
            assertThat(ownRouter.resultsFor(id)).isEmpty();

            try (WorkerProcess second = ApprovalWorkers.serve(ownNats.url(), ownDataDir, port)) {
                JsonNode result = awaitOneResult(ownRouter, id);

                assertThat(result.get("status").asText()).isEqualTo("success");
                assertThat(result.get("result").get("approved").booleanValue()).isFalse();
                assertThat(result.get("result").get("approver").asText()).isEqualTo("system:timeout");
                assertOnlyOneResultAfterAWhile(ownRouter, id);
                assertThat(ownInbox.about(id)).hasSize(1);
            }
        }
    }

    @Test
    void aPendingApprovalSurvivesSigtermAndIsDecidedOnTheRestartedWorker(@TempDir Path ownDataDir) throws Exception {
        pendingApprovalSurvives(ownDataDir, true);
    }

    @Test
    void aPendingApprovalSurvivesKillMinus9AndIsDecidedOnTheRestartedWorker(@TempDir Path ownDataDir) throws Exception {
        pendingApprovalSurvives(ownDataDir, false);
    }

    /**
     * One worker opens an approval and stops (SIGTERM, or SIGKILL as a crash); a second one on
     * the same data dir, NATS and port resumes it without notifying again, takes the decision
     * made with the first notification's link, and publishes the one result.
     */
    private void pendingApprovalSurvives(Path ownDataDir, boolean graceful) throws Exception {
        // its own NATS, so no other worker of this class is in the queue group
        try (NatsServer ownNats = NatsServer.start();
             NatsProbe ownRouter = new NatsProbe(ownNats.url());
             ApprovalInbox ownInbox = new ApprovalInbox(ownNats.url())) {
            int port = ApprovalWorkers.freeHealthPort();
            ObjectNode assignment = approval("Survive a restart?", 120_000, null, ALICE);
            String id = assignment.get("assignment_id").asText();
            Link alice;
            try (WorkerProcess first = ApprovalWorkers.serve(ownNats.url(), ownDataDir, port)) {
                ownRouter.publish(Assignments.bytes(assignment));
                alice = links(awaitNotification(ownInbox, id)).getFirst();
                if (graceful) {
                    assertThat(first.terminate(Duration.ofSeconds(30))).isZero();
                } else {
                    Thread.sleep(1_000);  // let the worker record that the approvers were notified
                    first.kill();
                }
            }
            ownRouter.flush();
            Thread.sleep(1_000);
            assertThat(ownRouter.resultsFor(id)).as("no result while the approval is pending").isEmpty();

            try (WorkerProcess second = ApprovalWorkers.serve(ownNats.url(), ownDataDir, port)) {
                await().atMost(SOON).until(() -> second.stderr().contains("resumed 1 step(s) waiting for approval"));
                assertThat(approvers.get(alice.base(), id).body().get("state").asText()).isEqualTo("pending");

                Answer decided = approvers.decide(alice, true, "after the restart");

                assertThat(decided.status()).isEqualTo(200);
                JsonNode result = awaitOneResult(ownRouter, id);
                assertThat(result.get("status").asText()).isEqualTo("success");
                assertThat(result.get("result").get("comment").asText()).isEqualTo("after the restart");
                // from its acceptance on the first worker, not from its resumption: at least the
                // second of waiting above and the second worker's start lie in between
                assertThat(result.get("latency_ms").asLong()).isGreaterThanOrEqualTo(2_000);
                assertOnlyOneResultAfterAWhile(ownRouter, id);
                assertThat(ownInbox.about(id)).as("no second notification").hasSize(1);
                assertThat(ownRouter.acksFor(id)).as("no second ack").hasSize(1);
                assertThat(second.terminate(Duration.ofSeconds(30))).isZero();
            }
        }
    }

    @FunctionalInterface
    private interface Attempt {
        Answer send() throws Exception;
    }

    /** Sends a refused attempt: the status and reason as expected, the approval as before but one more audit entry. */
    private void refusedWithoutChange(String id, int status, String reason, Attempt attempt) throws Exception {
        JsonNode before = approvers.get(workerUrl, id).body();

        Answer answer = attempt.send();

        assertThat(answer.status()).as(answer.body().toString()).isEqualTo(status);
        assertThat(answer.body().get("reason").asText()).isEqualTo(reason);
        assertThat(answer.body().get("error").asText()).isNotBlank();
        JsonNode after = approvers.get(workerUrl, id).body();
        assertThat(withoutAudit(after)).isEqualTo(withoutAudit(before));
        assertThat(after.get("audit")).hasSize(before.get("audit").size() + 1);
        JsonNode entry = after.get("audit").get(after.get("audit").size() - 1);
        assertThat(entry.get("accepted").booleanValue()).isFalse();
        assertThat(entry.get("outcome").asText()).isEqualTo(reason);
    }

    private static ObjectNode approval(String prompt, long timeoutMs, String onTimeout, String... approvers) {
        ObjectNode job = Json.mapper().createObjectNode();
        job.put("type", "human.approval").put("prompt", prompt).put("timeout_ms", timeoutMs);
        ArrayNode names = job.putArray("approvers");
        for (String approver : approvers) {
            names.add(approver);
        }
        if (onTimeout != null) {
            job.put("on_timeout", onTimeout);
        }
        return Assignments.withJob(job.toString());
    }

    private static JsonNode awaitNotification(ApprovalInbox inbox, String id) {
        await().atMost(SOON).until(() -> !inbox.about(id).isEmpty());
        return inbox.about(id).getFirst();
    }

    private static JsonNode awaitOneResult(NatsProbe router, String id) {
        await().atMost(SOON).until(() -> !router.resultsFor(id).isEmpty());
        return router.resultsFor(id).getFirst();
    }

    private static void assertOnlyOneResultAfterAWhile(NatsProbe router, String id) throws Exception {
        router.flush();
        Thread.sleep(1_000);
        assertThat(router.resultsFor(id)).hasSize(1);
    }

    private static List<Link> links(JsonNode notification) {
        List<Link> links = new ArrayList<>();
        notification.get("links").forEach(link -> links.add(Link.of(link)));
        return links;
    }

    private static JsonNode withoutAudit(JsonNode approval) {
        ObjectNode copy = approval.deepCopy();
        copy.remove(List.of("audit", "audit_omitted"));
        return copy;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        names.sort(null);
        return names;
    }

    private static JsonNode golden(String name) throws Exception {
        try (InputStream in = ApprovalsOverNatsIT.class.getResourceAsStream("/contract/" + name)) {
            return Json.mapper().readTree(in);
        }
    }
}
