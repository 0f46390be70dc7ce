package io.beamline.worker.cluster;

import static io.beamline.worker.cluster.Leaders.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.OutcomeStream;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The load of the JetStream cluster tests: small {@code fs.put} assignments published through
 * JetStream (each one stored before the call returns), and the check that the outcome stream
 * ends with exactly one result for each. Stateless.
 */
final class StoredLoad {
    private static final Duration QUIET = Duration.ofSeconds(45);

    private StoredLoad() {
    }

    /** An {@code fs.put} of a few bytes to {@code /<prefix>/<i>.txt} with a unique assignment id. */
    static ObjectNode put(String prefix, int i) {
        ObjectNode assignment = Assignments.withJob(
                "{\"type\":\"fs.put\",\"path\":\"/" + prefix + "/" + i + ".txt\",\"content\":\"value-" + i + "\"}");
        assignment.put("assignment_id", prefix + "-" + i + "-" + System.nanoTime());
        return assignment;
    }

    /** Publishes {@code count} assignments and waits for every PubAck: they are stored on a quorum. */
    static List<String> publishStored(NatsProbe router, int count, String prefix) throws Exception {
        return publishStored(router.connection(), count, prefix);
    }

    static List<String> publishStored(Connection router, int count, String prefix) throws Exception {
        return Assignments.publishStored(router, count, i -> put(prefix, i));
    }

    /** "id (reason)" of each rejection ack the Router received. */
    static List<String> rejections(NatsProbe router) {
        return router.acks.stream().filter(ack -> "rejected".equals(ack.path("status").asText()))
                .map(ack -> ack.path("assignment_id").asText() + " (" + ack.path("reason").asText() + ")").toList();
    }

    /**
     * Waits until the Router saw every result (or none came for 45 s: something is stuck), then
     * checks the outcome stream holds exactly one result for each assignment.
     */
    static void awaitEveryResultStoredOnce(NatsProbe router, ResultFlow flow, List<String> ids, Duration within) {
        await().atMost(within).pollInterval(Duration.ofSeconds(1)).until(() -> flow.distinct() >= ids.size()
                || System.nanoTime() - flow.lastArrival() > QUIET.toNanos());
        // reading the stream right after a failover can meet "JetStream system temporarily
        // unavailable" (10008) while the cluster settles: that is a reason to read again, not a verdict
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(3))
                .ignoreExceptionsInstanceOf(JetStreamApiException.class)
                .untilAsserted(() -> assertEveryResultStoredOnce(router.connection(), ids));
    }

    /** The outcome stream holds exactly one result for each of {@code ids} and no other. */
    static void assertEveryResultStoredOnce(Connection connection, List<String> ids) throws Exception {
        Map<String, Integer> stored = OutcomeStream.resultCounts(connection, OUTCOMES);
        assertThat(ids.stream().filter(id -> !stored.containsKey(id)).toList())
                .as("assignments without a stored result (%d stored)", stored.size()).isEmpty();
        assertThat(stored.entrySet().stream().filter(e -> e.getValue() != 1).map(Map.Entry::getKey).toList())
                .as("assignments with more than one stored result").isEmpty();
        assertThat(stored).hasSameSizeAs(ids);
    }
}
