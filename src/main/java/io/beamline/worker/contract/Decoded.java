package io.beamline.worker.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** What {@link AssignmentDecoder} made of one message. */
public sealed interface Decoded {

    /** A well-formed assignment, ready for admission. */
    record Valid(ExecAssignment assignment) implements Decoded {
    }

    /**
     * A JSON object that is not a valid assignment: it gets a rejection ack (without an
     * {@code assignment_id} when that is what is missing or unusable) and, being bad input, a
     * dead letter.
     */
    record Invalid(Rejection rejection, JsonNode payload) implements Decoded {
    }

    /**
     * A message that cannot even be answered: not JSON, or not an object. It goes to the
     * dead-letter subject. {@code parsed} is the document
     * when it was JSON.
     */
    record Unreadable(ErrorCode code, String message, Optional<JsonNode> parsed) implements Decoded {
    }
}
