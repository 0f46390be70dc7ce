package io.beamline.worker.support;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A request as {@link FaultServer} received it. Header names are lower-case. Only the first
 * {@link FaultServer#KEPT_BODY_BYTES} bytes of the body are kept; its full length and SHA-256
 * describe the rest, so large uploads do not fill the test's heap. Immutable.
 */
public record RecordedRequest(
        String method,
        String target,
        Map<String, List<String>> headers,
        byte[] bodyHead,
        long bodyLength,
        String bodySha256,
        Instant arrivedAt) {

    /** The target without its query string. */
    public String path() {
        int query = target.indexOf('?');
        return query < 0 ? target : target.substring(0, query);
    }

    public Optional<String> header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.getFirst());
    }

    public String body() {
        return new String(bodyHead, StandardCharsets.UTF_8);
    }
}
