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
        /** Its {@code run_id} when readable: for the span of the refused message. */
        public Optional<String> runId() {
            return Optional.ofNullable(AssignmentDecoder.readableId(payload, "run_id"));
        }

        /**
         * The block type its {@code job.type} names, or that text itself when no block has that
         * name (an unsupported block), when readable: for the span of the refused message.
         */
        public Optional<String> blockType() {
            JsonNode job = payload.get("job");
            String type = job != null && job.isObject() ? AssignmentDecoder.readableId(job, "type") : null;
            return type == null ? Optional.empty() : Optional.of(Job.canonicalType(type).orElse(type));
        }
    }

    /**
     * A message that cannot even be answered: not JSON, or not an object. It goes to the
     * dead-letter subject. {@code parsed} is the document
     * when it was JSON.
     */
    record Unreadable(ErrorCode code, String message, Optional<JsonNode> parsed) implements Decoded {
    }
}
