package io.beamline.worker.block.human;

import java.util.Locale;

/** What became of one decision attempt. */
public sealed interface DecisionOutcome {

    /** The vote counted; {@code approval} is the state after it (maybe now final). */
    record Accepted(Approval approval) implements DecisionOutcome {
    }

    /** The attempt changed nothing except the audit trail. */
    record Refused(Refusal refusal, String message) implements DecisionOutcome {
    }

    /** Why an attempt was refused. The HTTP API maps each to its status code. */
    enum Refusal {
        UNKNOWN_ID,
        MALFORMED,
        TOO_LARGE,
        NOT_AN_APPROVER,
        WRONG_TOKEN,
        ALREADY_DECIDED,
        ALREADY_VOTED,
        PAST_DEADLINE,
        CANCELLED,
        UNAVAILABLE;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
