package io.beamline.worker.bench;

import io.beamline.worker.config.ConfigException;
import java.util.List;

/**
 * What one load-generator run does. {@code rate} 0 sends as fast as the window allows;
 * {@code maxInFlight} 0 means no window (open loop); {@code durationMs} 0 means "until
 * {@code count} are sent", otherwise sending stops at whichever comes first. Immutable.
 *
 * @param natsUrls      servers to connect to
 * @param count         assignments in the measured phase (at most; see durationMs)
 * @param rate          offered assignments per second, 0 = as fast as possible
 * @param tenants       how many tenants the assignments rotate over
 * @param mix           block types and their proportions
 * @param payloadBytes  pad each assignment to about this size (0 = no padding)
 * @param timeoutMs     how long to wait for outstanding outcomes after the last send
 * @param warmup        assignments sent (and awaited) before measuring
 * @param cancelFraction share of assignments followed at once by a cancel request
 * @param maxInFlight   at most this many assignments without an outcome, 0 = unbounded
 * @param durationMs    stop sending after this long, 0 = no limit
 * @param label         a name for the run, carried into the JSON summary
 * @param httpUrl       the URL http.request assignments fetch
 * @param outcomeStream JetStream stream to read acks, results and dead letters from, "" = core
 *                      subscriptions (see {@link LoadRun})
 */
record LoadgenConfig(List<String> natsUrls, long count, double rate, int tenants, JobMix mix, int payloadBytes,
                     long timeoutMs, long warmup, double cancelFraction, int maxInFlight, long durationMs,
                     String label, String httpUrl, String outcomeStream) {
    /** Per-assignment state is kept in arrays (~11 bytes each), so a run must fit the heap. */
    static final long MAX_COUNT = 20_000_000;
    /** Nothing listens on the discard port: http.request fails fast with a network error unless --http-url is given. */
    static final String DEFAULT_HTTP_URL = "http://127.0.0.1:9/bench";

    /** A run reading core subscriptions, whose http.request assignments go to {@link #DEFAULT_HTTP_URL}. */
    LoadgenConfig(List<String> natsUrls, long count, double rate, int tenants, JobMix mix, int payloadBytes,
                  long timeoutMs, long warmup, double cancelFraction, int maxInFlight, long durationMs, String label) {
        this(natsUrls, count, rate, tenants, mix, payloadBytes, timeoutMs, warmup, cancelFraction, maxInFlight, durationMs,
                label, DEFAULT_HTTP_URL, "");
    }

    LoadgenConfig {
        natsUrls = List.copyOf(natsUrls);
        require(!natsUrls.isEmpty(), "--nats-url must name at least one server");
        require(count > 0 && count <= MAX_COUNT, "--count must be 1.." + MAX_COUNT + ", got " + count);
        require(rate >= 0 && Double.isFinite(rate), "--rate must be >= 0 (0 = as fast as possible), got " + rate);
        require(tenants > 0 && tenants <= 10_000, "--tenants must be 1..10000, got " + tenants);
        require(payloadBytes >= 0 && payloadBytes <= 8 * 1024 * 1024, "--payload-bytes must be 0..8388608, got " + payloadBytes);
        require(timeoutMs > 0, "--timeout-ms must be > 0, got " + timeoutMs);
        require(warmup >= 0 && warmup <= MAX_COUNT, "--warmup must be 0.." + MAX_COUNT + ", got " + warmup);
        require(cancelFraction >= 0 && cancelFraction <= 1, "--cancel-fraction must be 0..1, got " + cancelFraction);
        require(maxInFlight >= 0, "--max-in-flight must be >= 0 (0 = unbounded), got " + maxInFlight);
        require(durationMs >= 0, "--duration-ms must be >= 0 (0 = until --count), got " + durationMs);
        require(label.matches("[A-Za-z0-9._-]{1,64}"), "--label must be 1-64 letters, digits, '.', '_' or '-', got \"" + label + "\"");
        // the URL is pasted into JSON as it is, so it may hold no quote, backslash or space
        require(httpUrl.matches("https?://[^\"\\\\\\s]+"), "--http-url must be an http(s) URL without quotes, backslashes or spaces, got \""
                + httpUrl + "\"");
        require(outcomeStream.matches("[A-Za-z0-9_-]{0,64}"), "--outcome-stream must be a stream name, got \"" + outcomeStream + "\"");
    }

    /** A run of 10,000 fs.get assignments over 4 tenants, unpaced, with a warm-up of 2,000. */
    static LoadgenConfig defaults(List<String> natsUrls) {
        return new LoadgenConfig(natsUrls, 10_000, 0, 4, JobMix.parse("fs.get"), 0, 30_000, 2_000, 0, 0, 0, "loadgen");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new ConfigException(message);
        }
    }
}
