package io.beamline.worker.block.human;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What an approval's deadline does when no decision came ({@code job.on_timeout}). */
public enum OnTimeout {
    /** The step ends with status {@code timeout} (5002). The default. */
    FAIL,
    /** The step succeeds as approved by {@value Approval#TIMEOUT_APPROVER}. */
    APPROVE,
    /** The step succeeds as rejected by {@value Approval#TIMEOUT_APPROVER}. */
    REJECT;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The job's value; absent means {@link #FAIL}. The decoder has already refused other words. */
    static OnTimeout of(String wireName) {
        return wireName == null ? FAIL : valueOf(wireName.toUpperCase(Locale.ROOT));
    }
}
