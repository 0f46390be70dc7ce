package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.contract.Subjects;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class OutcomeTrackerTest {
    private static final String PREFIX = "lg-t00001-m-";
    private final Semaphore window = new Semaphore(0);
    private OutcomeTracker tracker;
    private long now = 1_000_000_000L;

    @BeforeEach
    void sendThreeAssignments() {
        tracker = new OutcomeTracker(PREFIX.getBytes(StandardCharsets.UTF_8), 3, window);
        for (int seq = 0; seq < 3; seq++) {
            tracker.sent(seq, now);
        }
    }

    @Test
    void acceptedAssignmentsWithOneResultEachAreExactlyOnce() {
        for (int seq = 0; seq < 3; seq++) {
            ack(seq, "accepted", "");
            result(seq, "success");
        }

        PhaseOutcome outcome = tracker.outcome(3, 1_000_000_000L);

        assertThat(outcome.violations().none()).isTrue();
        assertThat(outcome.acks()).containsEntry("accepted", 3L);
        assertThat(outcome.results()).containsEntry("success", 3L);
        assertThat(outcome.settled()).isEqualTo(3);
    }

    @Test
    void aRejectionSettlesItsAssignmentAndIsCountedByReason() {
        ack(0, "rejected", "quota_exceeded");

        assertThat(tracker.settled()).isEqualTo(1);
        assertThat(tracker.outcome(1, 0).acks()).containsEntry("rejected:quota_exceeded", 1L);
        assertThat(tracker.outcome(1, 0).violations().none()).isTrue();
    }

    @Test
    void aSecondResultIsADuplicate() {
        ack(0, "accepted", "");
        result(0, "success");
        result(0, "success");

        Violations violations = tracker.outcome(1, 0).violations();

        assertThat(violations.duplicateResult()).isEqualTo(1);
        assertThat(tracker.settled()).isEqualTo(1);
    }

    @Test
    void aSecondAckIsADuplicate() {
        ack(0, "accepted", "");
        ack(0, "accepted", "");
        result(0, "success");

        assertThat(tracker.outcome(1, 0).violations().duplicateAck()).isEqualTo(1);
    }

    @Test
    void anAcceptedAssignmentWithoutResultIsMissingOneAndAnUnansweredOneIsMissingItsAck() {
        ack(0, "accepted", "");

        Violations violations = tracker.outcome(2, 0).violations();

        assertThat(violations.missingResult()).isEqualTo(1);
        assertThat(violations.missingAck()).isEqualTo(1);
        assertThat(violations.none()).isFalse();
    }

    @Test
    void aResultForARejectedAssignmentIsAViolation() {
        ack(0, "rejected", "duplicate");
        result(0, "success");

        assertThat(tracker.outcome(1, 0).violations().resultAfterRejection()).isEqualTo(1);
        assertThat(tracker.settled()).isEqualTo(1);
    }

    @Test
    void aResultBeforeItsAckIsAViolation() {
        result(0, "success");
        ack(0, "accepted", "");

        assertThat(tracker.outcome(1, 0).violations().resultBeforeAck()).isEqualTo(1);
    }

    @Test
    void errorResultsAreCountedByCode() {
        ack(0, "accepted", "");
        tracker.onMessage(Subjects.RESULT, bytes("{\"assignment_id\":\"" + PREFIX + "0\",\"status\":\"error\","
                + "\"error\":{\"code\":2003,\"message\":\"no\"}}"), now);

        assertThat(tracker.outcome(1, 0).results()).containsEntry("error:2003", 1L);
    }

    @Test
    void repliesOfAnotherRunOrForUnsentAssignmentsAreIgnored() {
        tracker.onMessage(Subjects.ACK, bytes("{\"assignment_id\":\"lg-other1-m-0\",\"status\":\"accepted\"}"), now);
        tracker.onMessage(Subjects.ACK, bytes("{\"assignment_id\":\"" + PREFIX + "7\",\"status\":\"accepted\"}"), now);
        tracker.onMessage(Subjects.RESULT, bytes("garbage"), now);

        PhaseOutcome outcome = tracker.outcome(3, 0);

        assertThat(outcome.foreignMessages()).isEqualTo(3);
        assertThat(outcome.acks()).isEmpty();
    }

    @Test
    void deadLettersAreCountedByReasonWithoutSettling() {
        tracker.onMessage(Subjects.DEAD_LETTER, bytes("{\"assignment_id\":\"" + PREFIX + "1\",\"reason\":\"invalid_input\"}"), now);

        assertThat(tracker.outcome(3, 0).deadLetters()).containsEntry("invalid_input", 1L);
        assertThat(tracker.settled()).isZero();
    }

    @Test
    void everySettlementFreesOneSlotOfTheWindow() {
        ack(0, "accepted", "");
        ack(1, "rejected", "shutting_down");
        assertThat(window.availablePermits()).isEqualTo(1);

        result(0, "success");
        result(0, "success");

        assertThat(window.availablePermits()).isEqualTo(2);
    }

    @Test
    void latencyIsMeasuredFromTheSendTime() {
        now += 2_500_000;  // 2.5 ms later
        ack(0, "accepted", "");
        now += 1_000_000;
        result(0, "success");

        PhaseOutcome outcome = tracker.outcome(1, 1_000_000_000L);

        assertThat(outcome.ack().p50()).isBetween(2.49, 2.51);
        assertThat(outcome.result().max()).isBetween(3.49, 3.51);
    }

    private void ack(int seq, String status, String reason) {
        String rejection = reason.isEmpty() ? "" : ",\"reason\":\"" + reason + "\"";
        tracker.onMessage(Subjects.ACK, bytes("{\"assignment_id\":\"" + PREFIX + seq + "\",\"status\":\"" + status + "\""
                + rejection + "}"), now);
    }

    private void result(int seq, String status) {
        tracker.onMessage(Subjects.RESULT, bytes("{\"assignment_id\":\"" + PREFIX + seq + "\",\"status\":\"" + status
                + "\",\"result\":{\"status\":\"nested\"}}"), now);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
