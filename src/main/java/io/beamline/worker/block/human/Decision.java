package io.beamline.worker.block.human;

/**
 * A decision as an approver submits it ({@code POST /approvals/{id}/decision}). The token proves
 * the approver received this approval's link. Immutable.
 *
 * @param comment free text, empty when none was given
 */
public record Decision(String approver, String token, boolean approved, String comment) {
    /** Longest accepted comment, in characters. */
    public static final int MAX_COMMENT_CHARS = 4000;
    /** Longest accepted approver name or token, in characters. */
    public static final int MAX_FIELD_CHARS = 256;

    public Decision {
        if (approver == null || token == null || comment == null) {
            throw new IllegalArgumentException("approver, token and comment must be present");
        }
    }

    /** Never shows the token, so a decision can be logged. */
    @Override
    public String toString() {
        return "Decision[approver=" + approver + ", approved=" + approved + "]";
    }
}
