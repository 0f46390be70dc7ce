package io.beamline.worker.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What {@link FaultServer} does with a request: answer it (possibly late or slowly), stream a
 * generated body of any size, reset the connection, or never answer. Immutable.
 */
public sealed interface Reply {

    /**
     * A complete response. {@code headerDelay} passes before anything is written;
     * {@code chunkDelay} passes between chunks of {@code chunkBytes} of the body.
     */
    record Respond(int status, List<Map.Entry<String, String>> headers, byte[] body, Duration headerDelay,
                   int chunkBytes, Duration chunkDelay) implements Reply {

        /** Adds a header line; adding a name twice sends it twice. */
        public Respond header(String name, String value) {
            List<Map.Entry<String, String>> more = new ArrayList<>(headers);
            more.add(Map.entry(name, value));
            return new Respond(status, List.copyOf(more), body, headerDelay, chunkBytes, chunkDelay);
        }

        public Respond body(String text) {
            return body(text.getBytes(StandardCharsets.UTF_8));
        }

        public Respond body(byte[] bytes) {
            return new Respond(status, headers, bytes, headerDelay, chunkBytes, chunkDelay);
        }

        public Respond delayHeaders(Duration delay) {
            return new Respond(status, headers, body, delay, chunkBytes, chunkDelay);
        }

        /** Writes the body {@code chunkBytes} at a time with {@code perChunk} between chunks. */
        public Respond trickle(int bytesPerChunk, Duration perChunk) {
            return new Respond(status, headers, body, headerDelay, bytesPerChunk, perChunk);
        }
    }

    /**
     * A body of {@code bytes} bytes produced on the fly by {@link FaultServer#pattern}, never held
     * in memory; announced by {@code Content-Length} or sent chunked.
     */
    record Generate(int status, long bytes, boolean chunked) implements Reply {
    }

    /** Reads the request, then closes with SO_LINGER 0 so the client sees a TCP reset. */
    record Reset() implements Reply {
    }

    /** Reads the request and never answers; waits until the client gives up and closes. */
    record Blackhole() implements Reply {
    }

    static Respond status(int status) {
        return new Respond(status, List.of(), new byte[0], Duration.ZERO, Integer.MAX_VALUE, Duration.ZERO);
    }

    static Respond ok(String body) {
        return status(200).body(body);
    }

    static Respond retryAfter(int status, String value) {
        return status(status).header("Retry-After", value);
    }

    static Respond redirect(int status, String location) {
        return status(status).header("Location", location);
    }

    static Generate generated(long bytes) {
        return new Generate(200, bytes, false);
    }

    static Generate generatedChunked(long bytes) {
        return new Generate(200, bytes, true);
    }

    static Reply reset() {
        return new Reset();
    }

    static Reply blackhole() {
        return new Blackhole();
    }
}
