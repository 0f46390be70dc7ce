package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.ApprovalClient;
import io.beamline.worker.support.ApprovalClient.Link;
import io.beamline.worker.support.ApprovalInbox;
import io.beamline.worker.support.ApprovalWorkers;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.Reply;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Benchmark-style system test of {@code human.approval}: a thousand approvals pend on one real
 * worker while a thousand HTTP steps flow through it, then every approval is decided over HTTP.
 * Figures (time to open, throughput, resident memory) are printed, never asserted, because
 * the machine is shared and noisy; only correctness is asserted.
 */
class ApprovalsLoadIT {
    private static final int APPROVALS = 1_000;
    private static final int OTHER_STEPS = 1_000;
    private static final int WARM_UP_STEPS = 200;
    private static final int BASELINE_STEPS = 500;
    private static final String TENANT = "tenant-load";
    private static final Duration BOUND = Duration.ofSeconds(40);

    @Test
    void aThousandPendingApprovalsNeitherBlockOtherStepsNorGetLost(@TempDir Path dataDir) throws Exception {
        try (NatsServer nats = NatsServer.start();
             NatsProbe router = new NatsProbe(nats.url());
             ApprovalInbox inbox = new ApprovalInbox(nats.url());
             FaultServer remote = FaultServer.start().on("/ok", Reply.ok("{\"fine\":true}"));
             WorkerProcess worker = ApprovalWorkers.serve(nats.url(), dataDir, ApprovalWorkers.freeHealthPort())) {
            // warm-up, not measured: the first steps pay for class loading and JIT compilation
            runOtherSteps(router, remote, WARM_UP_STEPS);
            long rssAtStart = rssKb(worker);

            // a thousand approvals open and pend
            List<String> approvalIds = new ArrayList<>();
            long openStarted = System.nanoTime();
            for (int i = 0; i < APPROVALS; i++) {
                ObjectNode assignment = onTenant(Assignments.withJob("{\"type\":\"human.approval\",\"prompt\":\"load " + i
                        + "\",\"timeout_ms\":600000,\"approvers\":[\"ops@example.com\"]}"));
                approvalIds.add(assignment.get("assignment_id").asText());
                router.publish(Assignments.bytes(assignment));
            }
            router.flush();
            await().atMost(BOUND).until(() -> inbox.all().size() >= APPROVALS);
            long openNanos = inbox.all().stream().mapToLong(ApprovalInbox.Received::arrivedNanos).max().orElseThrow() - openStarted;
            assertThat(inbox.all()).extracting(received -> received.body().get("assignment_id").asText())
                    .as("one notification per approval").containsExactlyInAnyOrderElementsOf(approvalIds);
            assertThat(pendingListed(worker)).isEqualTo(APPROVALS);
            long rssWithApprovals = rssKb(worker);

            // while they pend, a thousand HTTP steps to a loopback server flow through
            long othersNanos = runOtherSteps(router, remote, OTHER_STEPS);
            long rssAfterOthers = rssKb(worker);
            assertThat(resultsOf(router, approvalIds)).as("no approval ended on its own").isEmpty();
            assertThat(pendingListed(worker)).isEqualTo(APPROVALS);

            // then every approval is decided through its link, and each step publishes its result
            long decideStarted = System.nanoTime();
            decideAll(inbox);
            await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> resultsOf(router, approvalIds).size() >= APPROVALS);
            long decideNanos = System.nanoTime() - decideStarted;
            assertThat(resultsOf(router, approvalIds)).hasSize(APPROVALS).allSatisfy(result -> {
                assertThat(result.get("status").asText()).isEqualTo("success");
                assertThat(result.get("result").get("approved").booleanValue()).isTrue();
            });
            assertThat(pendingListed(worker)).isZero();

            // for comparison, the other steps again with no approval pending
            long baselineNanos = runOtherSteps(router, remote, BASELINE_STEPS);
            router.flush();
            assertThat(router.results).hasSize(WARM_UP_STEPS + APPROVALS + OTHER_STEPS + BASELINE_STEPS);

            System.out.printf("""
                    [ApprovalsLoadIT] figures (informative only; shared, noisy machine):
                      open %d approvals (publish -> last notification): %d ms (%.0f approvals/s)
                      %d http.request steps while %d approvals pend: %d ms (%.0f steps/s)
                      decide %d approvals over HTTP -> last result: %d ms (%.0f decisions/s)
                      %d http.request steps once none pends: %d ms (%.0f steps/s)
                      worker RSS: %d MiB after warm-up, %d MiB with %d pending, %d MiB after the other steps, %d MiB at the end
                      approval store on disk: %d KiB
                    """,
                    APPROVALS, millis(openNanos), perSecond(APPROVALS, openNanos),
                    OTHER_STEPS, APPROVALS, millis(othersNanos), perSecond(OTHER_STEPS, othersNanos),
                    APPROVALS, millis(decideNanos), perSecond(APPROVALS, decideNanos),
                    BASELINE_STEPS, millis(baselineNanos), perSecond(BASELINE_STEPS, baselineNanos),
                    rssAtStart / 1024, rssWithApprovals / 1024, APPROVALS, rssAfterOthers / 1024, rssKb(worker) / 1024,
                    storeKb(dataDir));
        }
    }

    /** Runs {@code count} HTTP steps against the loopback server; all must succeed. Returns how long they took. */
    private static long runOtherSteps(NatsProbe router, FaultServer remote, int count) throws Exception {
        List<String> ids = new ArrayList<>();
        long started = System.nanoTime();
        for (int i = 0; i < count; i++) {
            ObjectNode assignment = onTenant(Assignments.httpGet(remote.url("/ok")));
            ids.add(assignment.get("assignment_id").asText());
            router.publish(Assignments.bytes(assignment));
        }
        router.flush();
        await().atMost(BOUND).pollInterval(Duration.ofMillis(10)).until(() -> resultsOf(router, ids).size() >= count);
        long took = System.nanoTime() - started;
        assertThat(resultsOf(router, ids)).hasSize(count).allSatisfy(result -> {
            assertThat(result.get("status").asText()).isEqualTo("success");
            assertThat(result.get("result").get("status_code").intValue()).isEqualTo(200);
        });
        return took;
    }

    /** Each notification's one approver decides through their link, sixteen at a time. */
    private static void decideAll(ApprovalInbox inbox) throws Exception {
        ApprovalClient client = new ApprovalClient();
        try (ExecutorService approvers = Executors.newFixedThreadPool(16)) {
            List<Future<Integer>> answers = new ArrayList<>();
            for (ApprovalInbox.Received notification : inbox.all()) {
                Link link = Link.of(notification.body().get("links").get(0));
                answers.add(approvers.submit(() -> client.decide(link, true, "ok").status()));
            }
            for (Future<Integer> answer : answers) {
                assertThat(answer.get()).isEqualTo(200);
            }
        }
    }

    private static ObjectNode onTenant(ObjectNode assignment) {
        return assignment.put("tenant_id", TENANT);
    }

    private static List<JsonNode> resultsOf(NatsProbe router, List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return router.results.stream().filter(result -> wanted.contains(result.path("assignment_id").asText()))
                .collect(Collectors.toList());
    }

    private static int pendingListed(WorkerProcess worker) throws Exception {
        WorkerProcess.HttpReply reply = worker.get("/approvals?tenant_id=" + TENANT);
        assertThat(reply.status()).isEqualTo(200);
        return Json.mapper().readTree(reply.body()).get("approvals").size();
    }

    /** VmRSS of the worker's JVM (bin/beamline-worker execs java, so the pid is the JVM's). */
    private static long rssKb(WorkerProcess worker) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc/" + worker.process().pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new AssertionError("no VmRSS for the worker");
    }

    private static long storeKb(Path dataDir) throws Exception {
        try (var files = Files.list(dataDir.resolve("_approvals"))) {
            return files.mapToLong(file -> file.toFile().length()).sum() / 1024;
        }
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }

    private static double perSecond(int count, long nanos) {
        return count * 1e9 / nanos;
    }
}
