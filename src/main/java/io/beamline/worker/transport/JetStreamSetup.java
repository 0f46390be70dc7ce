package io.beamline.worker.transport;

import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.KeyValueManagement;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates, or verifies, what the JetStream transport needs on the server: a work-queue stream
 * for assignments ({@code discard new}, finite MaxDeliver on its consumer), a stream for
 * outcomes with a duplicate window, the shared durable pull consumer, and the KV bucket of
 * completed-step records. Idempotent: every worker runs it at start; the first creates, the
 * others find the same configuration. File storage, so a server restart loses nothing.
 */
final class JetStreamSetup {
    private static final Logger log = LoggerFactory.getLogger("transport");
    private static final int NOT_FOUND = 10059;

    private JetStreamSetup() {
    }

    static void ensure(Connection connection, JetStreamConfig config) throws IOException, JetStreamApiException {
        JetStreamManagement jsm = connection.jetStreamManagement();
        ensureStream(jsm, StreamConfiguration.builder()
                .name(config.assignmentStream())
                .subjects(Subjects.ASSIGN)
                .retentionPolicy(RetentionPolicy.WorkQueue)
                .discardPolicy(DiscardPolicy.New)
                .storageType(StorageType.File)
                .replicas(config.replicas())
                .duplicateWindow(config.duplicateWindow())
                .build());
        ensureStream(jsm, StreamConfiguration.builder()
                .name(config.outcomeStream())
                .subjects(Subjects.ACK, Subjects.RESULT, Subjects.DEAD_LETTER)
                .retentionPolicy(RetentionPolicy.Limits)
                .storageType(StorageType.File)
                .replicas(config.replicas())
                .maxAge(config.outcomeMaxAge())
                .duplicateWindow(config.duplicateWindow())
                .build());
        jsm.addOrUpdateConsumer(config.assignmentStream(), ConsumerConfiguration.builder()
                .durable(config.consumer())
                .filterSubject(Subjects.ASSIGN)
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(config.ackWait())
                .maxDeliver(config.maxDeliver())
                .maxAckPending(Math.max(1000, config.maxInFlight() * 16))
                .build());
        ensureBucket(connection.keyValueManagement(), config);
        log.info("jetstream ready: stream {} (work queue), stream {} (outcomes), consumer {}, bucket {}, replicas {}",
                config.assignmentStream(), config.outcomeStream(), config.consumer(), config.completedBucket(), config.replicas());
    }

    private static void ensureStream(JetStreamManagement jsm, StreamConfiguration wanted) throws IOException, JetStreamApiException {
        StreamInfo existing;
        try {
            existing = jsm.getStreamInfo(wanted.getName());
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() != NOT_FOUND) {
                throw e;
            }
            try {
                jsm.addStream(wanted);
                log.info("created stream {} for {}", wanted.getName(), wanted.getSubjects());
                return;
            } catch (JetStreamApiException raced) {
                existing = jsm.getStreamInfo(wanted.getName());  // another worker created it first
            }
        }
        StreamConfiguration found = existing.getConfiguration();
        if (!found.getSubjects().containsAll(wanted.getSubjects()) || found.getRetentionPolicy() != wanted.getRetentionPolicy()) {
            throw new IllegalStateException("stream " + wanted.getName() + " exists with subjects " + found.getSubjects()
                    + " and retention " + found.getRetentionPolicy() + "; expected " + wanted.getSubjects() + " and "
                    + wanted.getRetentionPolicy() + " (remove it or choose another name with --js-stream/--js-outcome-stream)");
        }
        if (found.getReplicas() != wanted.getReplicas() || !found.getDuplicateWindow().equals(wanted.getDuplicateWindow())) {
            log.warn("stream {} exists with replicas {} and duplicate window {}; configured {} and {} (left as is)",
                    wanted.getName(), found.getReplicas(), found.getDuplicateWindow(), wanted.getReplicas(),
                    wanted.getDuplicateWindow());
        }
    }

    private static void ensureBucket(KeyValueManagement kvm, JetStreamConfig config) throws IOException, JetStreamApiException {
        List<String> buckets = kvm.getBucketNames();
        if (!buckets.contains(config.completedBucket())) {
            try {
                kvm.create(KeyValueConfiguration.builder()
                        .name(config.completedBucket())
                        .maxHistoryPerKey(1)
                        .ttl(config.completedTtl())
                        .storageType(StorageType.File)
                        .replicas(config.replicas())
                        .build());
            } catch (JetStreamApiException raced) {
                if (!kvm.getBucketNames().contains(config.completedBucket())) {
                    throw raced;
                }
            }
        }
    }
}
