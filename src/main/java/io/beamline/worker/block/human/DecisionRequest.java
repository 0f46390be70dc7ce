package io.beamline.worker.block.human;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import java.io.IOException;

/**
 * The body of {@code POST /approvals/{id}/decision}, read strictly: {@code approver} and
 * {@code token} non-empty strings, {@code approved} a boolean, {@code comment} an optional
 * string. Unknown fields are ignored, as everywhere on the wire.
 */
sealed interface DecisionRequest {

    record Valid(Decision decision) implements DecisionRequest {
    }

    record Malformed(String problem) implements DecisionRequest {
    }

    static DecisionRequest parse(byte[] body) {
        JsonNode root;
        try {
            root = Json.readTree(body);
        } catch (IOException e) {
            return new Malformed("the body is not valid JSON");
        }
        if (!root.isObject()) {
            return new Malformed("the body must be a JSON object");
        }
        String approver = text(root, "approver", Decision.MAX_FIELD_CHARS);
        String token = text(root, "token", Decision.MAX_FIELD_CHARS);
        JsonNode approved = root.get("approved");
        JsonNode comment = root.get("comment");
        if (approver == null || approver.isBlank()) {
            return new Malformed("approver must be a non-empty string of at most " + Decision.MAX_FIELD_CHARS + " characters");
        }
        if (token == null || token.isEmpty()) {
            return new Malformed("token must be a non-empty string of at most " + Decision.MAX_FIELD_CHARS + " characters");
        }
        if (approved == null || !approved.isBoolean()) {
            return new Malformed("approved must be true or false");
        }
        boolean commentAbsent = comment == null || comment.isNull();
        if (!commentAbsent && (!comment.isTextual() || comment.textValue().length() > Decision.MAX_COMMENT_CHARS)) {
            return new Malformed("comment must be a string of at most " + Decision.MAX_COMMENT_CHARS + " characters");
        }
        return new Valid(new Decision(approver, token, approved.booleanValue(), commentAbsent ? "" : comment.textValue()));
    }

    private static String text(JsonNode root, String field, int maxChars) {
        JsonNode node = root.get(field);
        return node != null && node.isTextual() && node.textValue().length() <= maxChars ? node.textValue() : null;
    }
}
