package io.beamline.worker.config;

import io.beamline.worker.transport.JetStreamConfig;
import java.time.Duration;
import picocli.CommandLine.Option;

/** Options of {@code --transport jetstream} (SPEC §7), a picocli argument group of {@link WorkerOptions}. */
public final class JetStreamOptions {

    @Option(names = "--js-stream", paramLabel = "NAME", description = "Work-queue stream of assignments (env WORKER_JS_STREAM; default: CAF_ASSIGNMENTS).")
    String stream;

    @Option(names = "--js-outcome-stream", paramLabel = "NAME", description = "Stream of acks, results and dead letters (env WORKER_JS_OUTCOME_STREAM; default: CAF_OUTCOMES).")
    String outcomeStream;

    @Option(names = "--js-consumer", paramLabel = "NAME", description = "Durable pull consumer shared by all workers (env WORKER_JS_CONSUMER; default: caf-workers).")
    String consumer;

    @Option(names = "--js-completed-bucket", paramLabel = "NAME", description = "KV bucket of completed-step records (env WORKER_JS_COMPLETED_BUCKET; default: caf_completed).")
    String completedBucket;

    @Option(names = "--js-ack-wait-ms", paramLabel = "MS", description = "AckWait of the consumer (env WORKER_JS_ACK_WAIT_MS; default: 30000).")
    Long ackWaitMs;

    @Option(names = "--js-max-deliver", paramLabel = "N", description = "MaxDeliver of the consumer; beyond it, dead letter (env WORKER_JS_MAX_DELIVER; default: 5).")
    Integer maxDeliver;

    @Option(names = "--js-max-in-flight", paramLabel = "N", description = "Deliveries one worker holds at once (env WORKER_JS_MAX_IN_FLIGHT; default: 256).")
    Integer maxInFlight;

    @Option(names = "--stream-replicas", paramLabel = "N", description = "Replicas of streams and bucket, 3 on a three-node cluster (env WORKER_STREAM_REPLICAS; default: 1).")
    Integer replicas;

    @Option(names = "--js-duplicate-window-ms", paramLabel = "MS", description = "Duplicate window of the streams (env WORKER_JS_DUPLICATE_WINDOW_MS; default: 600000).")
    Long duplicateWindowMs;

    @Option(names = "--js-outcome-max-age-ms", paramLabel = "MS", description = "How long outcomes are kept (env WORKER_JS_OUTCOME_MAX_AGE_MS; default: 86400000).")
    Long outcomeMaxAgeMs;

    @Option(names = "--js-completed-ttl-ms", paramLabel = "MS", description = "How long completed-step records are kept (env WORKER_JS_COMPLETED_TTL_MS; default: 86400000).")
    Long completedTtlMs;

    JetStreamConfig toConfig(Settings settings) {
        JetStreamConfig d = JetStreamConfig.defaults();
        return new JetStreamConfig(
                settings.text("--js-stream", stream, "WORKER_JS_STREAM", d.assignmentStream()),
                settings.text("--js-outcome-stream", outcomeStream, "WORKER_JS_OUTCOME_STREAM", d.outcomeStream()),
                settings.text("--js-consumer", consumer, "WORKER_JS_CONSUMER", d.consumer()),
                settings.text("--js-completed-bucket", completedBucket, "WORKER_JS_COMPLETED_BUCKET", d.completedBucket()),
                Duration.ofMillis(settings.longValue("--js-ack-wait-ms", ackWaitMs, "WORKER_JS_ACK_WAIT_MS", d.ackWait().toMillis())),
                settings.integer("--js-max-deliver", maxDeliver, "WORKER_JS_MAX_DELIVER", d.maxDeliver()),
                settings.integer("--js-max-in-flight", maxInFlight, "WORKER_JS_MAX_IN_FLIGHT", d.maxInFlight()),
                settings.integer("--stream-replicas", replicas, "WORKER_STREAM_REPLICAS", d.replicas()),
                Duration.ofMillis(settings.longValue("--js-duplicate-window-ms", duplicateWindowMs, "WORKER_JS_DUPLICATE_WINDOW_MS", d.duplicateWindow().toMillis())),
                Duration.ofMillis(settings.longValue("--js-outcome-max-age-ms", outcomeMaxAgeMs, "WORKER_JS_OUTCOME_MAX_AGE_MS", d.outcomeMaxAge().toMillis())),
                Duration.ofMillis(settings.longValue("--js-completed-ttl-ms", completedTtlMs, "WORKER_JS_COMPLETED_TTL_MS", d.completedTtl().toMillis())));
    }
}
