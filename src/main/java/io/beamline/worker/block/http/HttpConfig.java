package io.beamline.worker.block.http;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the {@code http.request} block (SPEC §4.1, §5). Validated when built: a bad
 * value fails at start-up with a message naming its option. Immutable.
 *
 * @param connectTimeout         how long opening a connection may take; applies only with
 *                               {@code separateConnectTimeout}
 * @param defaultTimeout         total budget of a request whose job has no {@code timeout_ms}
 * @param separateConnectTimeout {@code CP2_COMPLETE_TIMEOUT_ENABLED}: when off (the baseline),
 *                               only the total timeout bounds a request, connecting included
 * @param followRedirects        follow 3xx responses (each hop is checked against
 *                               {@code destinations}); off by default
 * @param h2c                    try HTTP/2 over plain {@code http://} (upgrade); HTTPS always
 *                               negotiates HTTP/2 with HTTP/1.1 fallback
 * @param maxResponseBytes       largest body returned inline in the result
 * @param maxDownloadBytes       largest body streamed to {@code response_to_path}
 * @param destinations           where requests may go
 */
public record HttpConfig(
        Duration connectTimeout,
        Duration defaultTimeout,
        boolean separateConnectTimeout,
        boolean followRedirects,
        boolean h2c,
        long maxResponseBytes,
        long maxDownloadBytes,
        DestinationPolicy destinations) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_RESPONSE_BYTES = 10L * 1024 * 1024;
    public static final long DEFAULT_MAX_DOWNLOAD_BYTES = 1024L * 1024 * 1024;
    /** Inline bodies are held in one array, so they cannot exceed what an array can hold. */
    static final long MAX_INLINE_BYTES = Integer.MAX_VALUE - 16;

    public HttpConfig {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(defaultTimeout, "defaultTimeout");
        Objects.requireNonNull(destinations, "destinations");
        requirePositive("--http-connect-timeout-ms", connectTimeout.toMillis());
        requirePositive("--http-timeout-ms", defaultTimeout.toMillis());
        requirePositive("--http-max-response-bytes", maxResponseBytes);
        requirePositive("--http-max-download-bytes", maxDownloadBytes);
        if (maxResponseBytes > MAX_INLINE_BYTES) {
            throw new ConfigException("--http-max-response-bytes must be <= " + MAX_INLINE_BYTES + ", got " + maxResponseBytes
                    + "; use response_to_path for larger bodies");
        }
    }

    /** Production defaults: 5 s connect, 30 s total, no redirects, 10 MiB inline, 1 GiB download. */
    public static HttpConfig defaults(boolean separateConnectTimeout) {
        return new HttpConfig(DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, separateConnectTimeout, false, false,
                DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_DOWNLOAD_BYTES, DestinationPolicy.open());
    }

    public HttpConfig withDestinations(DestinationPolicy policy) {
        return new HttpConfig(connectTimeout, defaultTimeout, separateConnectTimeout, followRedirects, h2c,
                maxResponseBytes, maxDownloadBytes, policy);
    }

    public HttpConfig withLimits(long inlineBytes, long downloadBytes) {
        return new HttpConfig(connectTimeout, defaultTimeout, separateConnectTimeout, followRedirects, h2c,
                inlineBytes, downloadBytes, destinations);
    }

    public HttpConfig withTimeouts(Duration connect, Duration total) {
        return new HttpConfig(connect, total, separateConnectTimeout, followRedirects, h2c,
                maxResponseBytes, maxDownloadBytes, destinations);
    }

    public HttpConfig withFollowRedirects(boolean follow) {
        return new HttpConfig(connectTimeout, defaultTimeout, separateConnectTimeout, follow, h2c,
                maxResponseBytes, maxDownloadBytes, destinations);
    }

    private static void requirePositive(String option, long value) {
        if (value <= 0) {
            throw new ConfigException(option + " must be > 0, got " + value);
        }
    }
}
