package io.beamline.worker.config;

import io.beamline.worker.block.http.DestinationPolicy;
import io.beamline.worker.block.http.HttpConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of the {@code http.request} block (SPEC §4.1), a picocli mixin of {@link WorkerOptions}. */
public final class HttpOptions {

    @Option(names = "--http-connect-timeout-ms", paramLabel = "MS",
            description = "Connect timeout, separate from the total with CP2_COMPLETE_TIMEOUT_ENABLED (env WORKER_HTTP_CONNECT_TIMEOUT_MS; default: 5000).")
    Long connectTimeoutMs;

    @Option(names = "--http-timeout-ms", paramLabel = "MS",
            description = "Total timeout of a request whose job gives no timeout_ms (env WORKER_HTTP_TIMEOUT_MS; default: 30000).")
    Long timeoutMs;

    @Option(names = "--http-follow-redirects",
            description = "Follow 3xx answers, checking every hop against the destination policy (env WORKER_HTTP_FOLLOW_REDIRECTS).")
    boolean followRedirects;

    @Option(names = "--http-h2c", description = "Try HTTP/2 over plain http:// (env WORKER_HTTP_H2C).")
    boolean h2c;

    @Option(names = "--http-max-response-bytes", paramLabel = "BYTES",
            description = "Largest response body returned inline; larger ones need response_to_path (env WORKER_HTTP_MAX_RESPONSE_BYTES; default: 10485760).")
    Long maxResponseBytes;

    @Option(names = "--http-max-download-bytes", paramLabel = "BYTES",
            description = "Largest body streamed to response_to_path (env WORKER_HTTP_MAX_DOWNLOAD_BYTES; default: 1073741824).")
    Long maxDownloadBytes;

    @Option(names = "--http-allow", paramLabel = "HOST|*.SUFFIX|CIDR", split = ",",
            description = "Only these destinations may be called; repeatable (env WORKER_HTTP_ALLOW, comma-separated).")
    List<String> allow;

    @Option(names = "--http-deny", paramLabel = "HOST|*.SUFFIX|CIDR", split = ",",
            description = "Destinations never called; link-local metadata addresses are always denied (env WORKER_HTTP_DENY).")
    List<String> deny;

    @Option(names = "--http-deny-private",
            description = "Also deny loopback and private address ranges (env WORKER_HTTP_DENY_PRIVATE).")
    boolean denyPrivate;

    HttpConfig toConfig(Settings settings, FeatureFlags flags) {
        HttpConfig d = HttpConfig.defaults(flags.completeTimeout());
        DestinationPolicy policy = DestinationPolicy.of(
                list(settings, "--http-allow", allow, "WORKER_HTTP_ALLOW"),
                list(settings, "--http-deny", deny, "WORKER_HTTP_DENY"),
                settings.flag("--http-deny-private", denyPrivate, "WORKER_HTTP_DENY_PRIVATE"));
        return new HttpConfig(
                Duration.ofMillis(settings.longValue("--http-connect-timeout-ms", connectTimeoutMs, "WORKER_HTTP_CONNECT_TIMEOUT_MS", d.connectTimeout().toMillis())),
                Duration.ofMillis(settings.longValue("--http-timeout-ms", timeoutMs, "WORKER_HTTP_TIMEOUT_MS", d.defaultTimeout().toMillis())),
                flags.completeTimeout(),
                settings.flag("--http-follow-redirects", followRedirects, "WORKER_HTTP_FOLLOW_REDIRECTS"),
                settings.flag("--http-h2c", h2c, "WORKER_HTTP_H2C"),
                settings.longValue("--http-max-response-bytes", maxResponseBytes, "WORKER_HTTP_MAX_RESPONSE_BYTES", d.maxResponseBytes()),
                settings.longValue("--http-max-download-bytes", maxDownloadBytes, "WORKER_HTTP_MAX_DOWNLOAD_BYTES", d.maxDownloadBytes()),
                policy);
    }

    private static List<String> list(Settings settings, String option, List<String> flagValue, String envVar) {
        List<String> values = settings.resolve(option, flagValue, envVar,
                text -> Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList(), List.of());
        return new ArrayList<>(values);
    }
}
