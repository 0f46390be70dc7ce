package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonProperty;

/** {@code executor} of an assignment: which provider the step is for. */
public record Executor(@JsonProperty("provider_id") String providerId, String endpoint) {
}
