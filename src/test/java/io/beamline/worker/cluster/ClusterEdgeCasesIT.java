package io.beamline.worker.cluster;

import static io.beamline.worker.cluster.Leaders.ASSIGNMENTS;
import static io.beamline.worker.cluster.Leaders.CONSUMER;
import static io.beamline.worker.cluster.Leaders.OUTCOMES;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsCluster;
import io.beamline.worker.support.NatsProbe;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfoOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two ways the cluster runs of {@link ClusterIT} lost stored results now and then, each
 * made deterministic on the same three-node cluster: an outcome stream that cannot store for a
 * while (what a hung leader does for seconds), and a consumer that hands out again a message
 * a worker is still running (what a new consumer leader with stale state does). Both fail
 * until the worker handles these cases (issue 10 report: defects A and B).
 */
class ClusterEdgeCasesIT {
    /**
     * The outcome stream is gone for 15 s. The Router reads outcomes from the stream only (no
     * core subscription), so a publish fails at once rather than after a timeout. Worker
     * defaults for ack wait and max deliveries.
     */
    @Test
    void anOutcomeStreamOutageOfFifteenSecondsDoesNotTurnFinishedStepsIntoDeadLetters(@TempDir Path dir) throws Exception {
        try (NatsCluster cluster = NatsCluster.start(dir.resolve("nats"));
             ClusterWorkers workers = ClusterWorkers.start(1, dir.resolve("workers"), i -> cluster.urls(),
                     "--transport", "jetstream", "--stream-replicas", "3");
             Connection router = Nats.connect(cluster.node(0).url())) {
            JetStreamManagement jsm = router.jetStreamManagement();
            StreamConfiguration outcomes = jsm.getStreamInfo(OUTCOMES).getConfiguration();
            jsm.deleteStream(OUTCOMES);
            List<String> ids = StoredLoad.publishStored(router, 20, "outage");
            Thread.sleep(15_000);
            jsm.addStream(outcomes);

            try {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                        .ignoreExceptionsInstanceOf(JetStreamApiException.class)  // 10008 while the cluster settles
                        .untilAsserted(() -> StoredLoad.assertEveryResultStoredOnce(router, ids));
            } finally {
                System.out.printf("cluster-outage: %d dead letters stored, %d assignments left in %s%n%s",
                        jsm.getStreamInfo(OUTCOMES, StreamInfoOptions.filterSubjects(Subjects.DEAD_LETTER)).getStreamState()
                                .getSubjectMap().getOrDefault(Subjects.DEAD_LETTER, 0L),
                        jsm.getStreamInfo(ASSIGNMENTS).getStreamState().getMsgCount(), ASSIGNMENTS, workers.logSummary());
            }
        }
    }

    /**
     * The consumer is deleted and created again while a 15 s step runs, so the server hands the
     * message out again as a first delivery. The worker must not settle it while the step has
     * no stored result: when that worker then dies, another one must get the step.
     */
    @Test
    void aConsumerThatForgotItsDeliveriesDoesNotMakeTheWorkerAcknowledgeARunningStep(@TempDir Path dir) throws Exception {
        String[] args = {"--transport", "jetstream", "--stream-replicas", "3", "--js-ack-wait-ms", "4000",
                "--sql-connection", "pg=jdbc:postgresql://127.0.0.1:5432/test?user=postgres"};
        try (NatsCluster cluster = NatsCluster.start(dir.resolve("nats"));
             NatsProbe router = new NatsProbe(cluster.node(0).url())) {
            ObjectNode slow = Assignments.withJob("{\"type\":\"sql.query\",\"connection_string\":\"pg\","
                    + "\"query\":\"SELECT pg_sleep(15)\",\"timeout_ms\":60000}");
            String id = slow.get("assignment_id").asText();
            try (ClusterWorkers first = ClusterWorkers.start(1, dir.resolve("first"), i -> cluster.urls(), args)) {
                router.connection().jetStream().publish(Subjects.ASSIGN, Assignments.bytes(slow));
                await().atMost(Duration.ofSeconds(30)).until(() -> !router.acksFor(id).isEmpty());

                JetStreamManagement jsm = router.connection().jetStreamManagement();
                ConsumerConfiguration consumer = jsm.getConsumerInfo(ASSIGNMENTS, CONSUMER).getConsumerConfiguration();
                jsm.deleteConsumer(ASSIGNMENTS, CONSUMER);
                jsm.addOrUpdateConsumer(ASSIGNMENTS, consumer);
                Thread.sleep(4000);  // the fetch loop meets the new consumer within a few seconds

                System.out.printf("cluster-forgotten: acks %s; %d message(s) left in %s; worker logs%n%s", router.acksFor(id),
                        jsm.getStreamInfo(ASSIGNMENTS).getStreamState().getMsgCount(), ASSIGNMENTS, first.logSummary());
                first.get(0).kill();  // before its 15 s step ends
            }
            try (ClusterWorkers second = ClusterWorkers.start(1, dir.resolve("second"), i -> cluster.urls(), args)) {
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                        .ignoreExceptionsInstanceOf(JetStreamApiException.class)  // 10008 while the cluster settles
                        .untilAsserted(() -> StoredLoad.assertEveryResultStoredOnce(router.connection(), List.of(id)));
            }
        }
    }
}
