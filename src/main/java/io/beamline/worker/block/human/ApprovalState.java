package io.beamline.worker.block.human;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where an approval stands. Every state but {@link #PENDING} is final. */
public enum ApprovalState {
    PENDING, APPROVED, REJECTED, EXPIRED, CANCELLED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public boolean isFinal() {
        return this != PENDING;
    }

    static ApprovalState parse(String wireName) {
        return valueOf(wireName.toUpperCase(Locale.ROOT));
    }
}
