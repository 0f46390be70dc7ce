package io.beamline.worker.transport;

import io.beamline.worker.config.ConfigException;
import java.time.Duration;

/**
 * Settings of the JetStream transport (SPEC §7, {@code --transport jetstream}). Validated when
 * built. Immutable.
 *
 * @param assignmentStream work-queue stream that captures {@code caf.exec.assign.v1}
 * @param outcomeStream    stream that keeps acks, results and dead letters (duplicates dropped by {@code Nats-Msg-Id})
 * @param consumer         the durable pull consumer every worker shares
 * @param completedBucket  KV bucket of completed-step records: a redelivered, finished assignment is not run again
 * @param ackWait          how long a delivery may stay unacknowledged before redelivery (in-progress acks extend it)
 * @param maxDeliver       deliveries before the server gives up; the worker dead-letters such messages
 * @param maxInFlight      deliveries one worker holds at once: it pulls only when it has room
 * @param replicas         replicas of the streams and bucket (3 on a three-node cluster)
 * @param duplicateWindow  how long the outcome stream drops a repeated {@code Nats-Msg-Id}
 * @param outcomeMaxAge    how long outcomes are kept
 * @param completedTtl     how long completed-step records are kept (beyond the duplicate window)
 */
public record JetStreamConfig(
        String assignmentStream,
        String outcomeStream,
        String consumer,
        String completedBucket,
        Duration ackWait,
        int maxDeliver,
        int maxInFlight,
        int replicas,
        Duration duplicateWindow,
        Duration outcomeMaxAge,
        Duration completedTtl) {

    public JetStreamConfig {
        for (String[] name : new String[][] {{"--js-stream", assignmentStream}, {"--js-outcome-stream", outcomeStream},
                {"--js-consumer", consumer}, {"--js-completed-bucket", completedBucket}}) {
            if (name[1] == null || !name[1].matches("[A-Za-z0-9_-]{1,64}")) {
                throw new ConfigException(name[0] + " must be 1-64 letters, digits, '_' or '-', got \"" + name[1] + "\"");
            }
        }
        if (ackWait.toMillis() < 1000) {
            throw new ConfigException("--js-ack-wait-ms must be >= 1000, got " + ackWait.toMillis());
        }
        if (maxDeliver < 1) {
            throw new ConfigException("--js-max-deliver must be >= 1, got " + maxDeliver);
        }
        if (maxInFlight < 1) {
            throw new ConfigException("--js-max-in-flight must be >= 1, got " + maxInFlight);
        }
        if (replicas < 1 || replicas > 5) {
            throw new ConfigException("--stream-replicas must be between 1 and 5, got " + replicas);
        }
        if (duplicateWindow.toMillis() < 1000 || outcomeMaxAge.compareTo(duplicateWindow) < 0) {
            throw new ConfigException("--js-duplicate-window-ms must be >= 1000 and <= --js-outcome-max-age-ms");
        }
        if (completedTtl.compareTo(duplicateWindow) < 0) {
            throw new ConfigException("--js-completed-ttl-ms must be >= --js-duplicate-window-ms");
        }
    }

    public static JetStreamConfig defaults() {
        return new JetStreamConfig("CAF_ASSIGNMENTS", "CAF_OUTCOMES", "caf-workers", "caf_completed",
                Duration.ofSeconds(30), 5, 256, 1, Duration.ofMinutes(10), Duration.ofHours(24), Duration.ofHours(24));
    }
}
