package io.beamline.worker.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/** What {@link AssignmentDecoder} made of one message. */
public sealed interface Decoded {

    /** A well-formed assignment, ready for admission. */
    record Valid(ExecAssignment assignment) implements Decoded {
    }

    /**
     * An assignment whose id could be read but that is invalid: it gets a rejection ack (and,
     * being bad input, a dead letter).
     */
    record Invalid(Rejection rejection, JsonNode payload) implements Decoded {
    }

    /**
     * A message that cannot even be answered: not JSON, not an object, or no usable
     * {@code assignment_id}. It goes to the dead-letter subject. {@code parsed} is the document
     * when it was JSON.
     */
    record Unreadable(ErrorCode code, String message, Optional<JsonNode> parsed) implements Decoded {
    }
}
