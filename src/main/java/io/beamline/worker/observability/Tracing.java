package io.beamline.worker.observability;

import io.opentelemetry.api.OpenTelemetry;
import io.beamline.worker.config.ConfigException;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.spi.ConfigurationException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sets up OpenTelemetry for the process: when {@code OTEL_EXPORTER_OTLP_ENDPOINT} is set, the
 * SDK is configured from the standard {@code OTEL_*} variables (exporter, protocol, sampler,
 * resource) with service name {@code beamline-worker} unless {@code OTEL_SERVICE_NAME} says
 * otherwise and protocol {@code http/protobuf} unless {@code OTEL_EXPORTER_OTLP_PROTOCOL} says otherwise; without it tracing is a no-op that costs nothing.
 */
public final class Tracing {
    private static final Logger log = LoggerFactory.getLogger("observability");

    private Tracing() {
    }

    public static OpenTelemetry fromEnvironment(Map<String, String> env) {
        String endpoint = env.get("OTEL_EXPORTER_OTLP_ENDPOINT");
        if (endpoint == null || endpoint.isBlank()) {
            return OpenTelemetry.noop();
        }
        OpenTelemetry sdk;
        try {
            sdk = configure(env);
        } catch (ConfigurationException e) {
            // a bad OTEL_* value is a start-up error like a bad option: one line, exit 2
            throw new ConfigException("OpenTelemetry settings (OTEL_* environment variables): "
                    + io.beamline.worker.contract.Redaction.inText(e.getMessage()));
        }
        // a collector behind basic auth may be named with its credentials: not in the log
        log.info("tracing: exporting spans over OTLP to {}", io.beamline.worker.contract.Redaction.withoutUserInfo(endpoint));
        return sdk;
    }

    private static OpenTelemetry configure(Map<String, String> env) {
        return AutoConfiguredOpenTelemetrySdk.builder()
                .addPropertiesSupplier(() -> Map.of(
                        "otel.service.name", env.getOrDefault("OTEL_SERVICE_NAME", "beamline-worker"),
                        // the endpoint of the source documents is the OTLP/HTTP port (4318); the SDK's own
                        // default, grpc, would talk gRPC to it and fail on every export
                        "otel.exporter.otlp.protocol", env.getOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
                        // bigger batches than the SDK's 512 / 2,048: at thousands of steps per second
                        // (three spans each) fewer, larger exports cost less per span; still overridable
                        "otel.bsp.max.export.batch.size", env.getOrDefault("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "2048"),
                        "otel.bsp.max.queue.size", env.getOrDefault("OTEL_BSP_MAX_QUEUE_SIZE", "8192"),
                        "otel.metrics.exporter", env.getOrDefault("OTEL_METRICS_EXPORTER", "none"),
                        "otel.logs.exporter", env.getOrDefault("OTEL_LOGS_EXPORTER", "none")))
                .setResultAsGlobal()
                .build()
                .getOpenTelemetrySdk();
    }
}
