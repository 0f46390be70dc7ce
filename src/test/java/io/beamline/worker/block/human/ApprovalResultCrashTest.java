package io.beamline.worker.block.human;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.runtime.Delivery;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.InProcessWorker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker that dies between taking a decision and getting its result out (the audit's D1: a
 * decision answered 200, the worker killed, no result ever published): the next worker on the
 * data dir publishes that result, once and without a second ack. The first worker's death is
 * simulated by a sink that never confirms the result, then closing the worker without a drain.
 */
class ApprovalResultCrashTest {
    private static final Duration SOON = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void aDecisionWhoseResultWasNotConfirmedPublishedIsPublishedOnceByTheRestartedWorker() {
        // given a decision taken while the result's publish is never confirmed (JetStream: no PubAck)
        String id;
        try (InProcessWorker first = worker()) {
            first.sink.holdResults();
            id = first.submit(approval());
            decide(first, id, "decided just before the crash");
            first.awaitResult(id, SOON);
        }  // killed: the result may never have reached the server

        // when a new worker on the same data dir resumes what is left
        try (InProcessWorker second = worker()) {
            second.worker().resumePendingApprovals();

            // then it publishes that decision, once, with no second ack
            ExecResult result = second.awaitResult(id, SOON);
            assertThat(result.result()).isInstanceOf(io.beamline.worker.contract.ApprovalOutput.class);
            assertThat(((io.beamline.worker.contract.ApprovalOutput) result.result()).comment())
                    .isEqualTo("decided just before the crash");
            assertThat(second.sink.results).hasSize(1);
            assertThat(second.sink.acks).isEmpty();
            assertThat(second.approvalNotices).as("no second notification").isEmpty();
        }
        // and once it is out, a third start has nothing left to publish
        try (InProcessWorker third = worker()) {
            assertThat(third.worker().approvals().orElseThrow().pendingAssignments()).isEmpty();
        }
    }

    @Test
    void aResultPublishedButNotFlushedToTheServerIsPublishedAgainAfterACrash() {
        // given a core NATS publish that is still in the client's buffer when the worker dies
        String id;
        try (InProcessWorker first = worker()) {
            first.sink.holdFlushes();
            id = first.submit(approval());
            decide(first, id, "not flushed");
            first.awaitResult(id, SOON);
        }

        try (InProcessWorker second = worker()) {
            second.worker().resumePendingApprovals();

            assertThat(second.awaitResult(id, SOON).status().wireName()).isEqualTo("success");
            assertThat(second.sink.acks).isEmpty();
        }
    }

    @Test
    void aResultConfirmedPublishedIsNotPublishedAgainAfterARestart() {
        String id;
        try (InProcessWorker first = worker()) {
            id = first.submit(approval());
            decide(first, id, "out in time");
            first.awaitResult(id, SOON);
            await().atMost(SOON).until(() -> first.worker().approvals().orElseThrow().pendingAssignments().isEmpty());
        }

        try (InProcessWorker second = worker()) {
            second.worker().resumePendingApprovals();

            assertThat(second.worker().approvals().orElseThrow().pendingAssignments()).isEmpty();
            assertThat(second.sink.results).isEmpty();
        }
    }

    @Test
    void aDurableTransportSettlesTheMessageOfAnApprovalOnlyOnceTheApprovalIsStored() {
        try (InProcessWorker worker = worker()) {
            ObjectNode assignment = approval();
            String id = assignment.get("assignment_id").asText();
            ApprovalService approvals = worker.worker().approvals().orElseThrow();
            List<Boolean> storedWhenSettled = new CopyOnWriteArrayList<>();
            Delivery delivery = new Delivery() {
                @Override
                public void settle(Optional<ExecResult> result) {
                    storedWhenSettled.add(approvals.find(id).isPresent());
                }

                @Override
                public boolean handsBack() {
                    return true;
                }
            };

            worker.worker().coordinator().onMessage(Assignments.bytes(assignment), "", delivery);

            await().atMost(SOON).until(() -> !storedWhenSettled.isEmpty());
            assertThat(storedWhenSettled.getFirst()).as("the approval was stored before the message was settled").isTrue();
            decide(worker, id, "fine");
            worker.awaitResult(id, SOON);
        }
    }

    private InProcessWorker worker() {
        return new InProcessWorker(Map.of(), "--data-dir", dataDir.toString());
    }

    private static ObjectNode approval() {
        return Assignments.withJob("{\"type\":\"human.approval\",\"prompt\":\"Ship it?\",\"approvers\":[\"ann\"]}");
    }

    /** Ann decides with the token of her link, as the HTTP API would take it. */
    private static void decide(InProcessWorker worker, String id, String comment) {
        await().atMost(SOON).until(() -> worker.approvalNotices.stream().anyMatch(n -> n.approvalId().equals(id)));
        String url = worker.approvalNotices.stream().filter(n -> n.approvalId().equals(id)).findFirst().orElseThrow()
                .links().getFirst().url();
        String token = url.substring(url.indexOf("&token=") + "&token=".length());
        DecisionOutcome outcome = worker.worker().approvals().orElseThrow().decide(id, new Decision("ann", token, true, comment));
        assertThat(outcome).isInstanceOf(DecisionOutcome.Accepted.class);
    }
}
