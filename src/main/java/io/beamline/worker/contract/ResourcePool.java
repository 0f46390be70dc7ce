package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** The resource classes a step can run in (SPEC §1): {@code cpu}, {@code gpu}, {@code io}. */
public enum ResourcePool {
    CPU,
    GPU,
    IO;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ResourcePool> parse(String text) {
        for (ResourcePool pool : values()) {
            if (pool.wireName().equals(text)) {
                return Optional.of(pool);
            }
        }
        return Optional.empty();
    }
}
