package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code ExecResult.status}. */
public enum StepStatus {
    @JsonProperty("success") SUCCESS,
    @JsonProperty("error") ERROR,
    @JsonProperty("timeout") TIMEOUT,
    @JsonProperty("cancelled") CANCELLED;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
