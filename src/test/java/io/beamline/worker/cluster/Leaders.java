package io.beamline.worker.cluster;

import io.beamline.worker.support.NatsCluster;
import io.nats.client.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Where the JetStream leaders of the worker's streams and consumer are, and moving them: the
 * cluster tests put them all on the node they disrupt, the harshest case, and print where
 * everything was. Stateless.
 */
final class Leaders {
    static final String ASSIGNMENTS = "CAF_ASSIGNMENTS";
    static final String OUTCOMES = "CAF_OUTCOMES";
    static final String CONSUMER = "caf-workers";

    private Leaders() {
    }

    /** Moves the leaders of both streams and of the shared consumer to one node (best effort). */
    static void moveAllTo(NatsCluster cluster, Connection connection, int node) throws InterruptedException {
        move(connection, "$JS.API.STREAM.LEADER.STEPDOWN." + ASSIGNMENTS, () -> cluster.streamLeader(connection, ASSIGNMENTS), node);
        move(connection, "$JS.API.CONSUMER.LEADER.STEPDOWN." + ASSIGNMENTS + "." + CONSUMER,
                () -> cluster.consumerLeader(connection, ASSIGNMENTS, CONSUMER), node);
        move(connection, "$JS.API.STREAM.LEADER.STEPDOWN." + OUTCOMES, () -> cluster.streamLeader(connection, OUTCOMES), node);
    }

    /**
     * Asks the leader to step down until {@code node} leads (each step-down elects one of the
     * other replicas at random); gives up after ten tries.
     */
    private static void move(Connection connection, String stepDown, IntSupplier leader, int node) throws InterruptedException {
        for (int attempt = 0; attempt < 10 && leader.getAsInt() != node; attempt++) {
            int before = leader.getAsInt();
            connection.request(stepDown, new byte[0], Duration.ofSeconds(5));
            long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            int now = leader.getAsInt();
            while (System.nanoTime() < deadline && (now == before || now < 0)) {
                Thread.sleep(200);
                now = leader.getAsInt();
            }
        }
    }

    /** Polls until a node other than {@code paused} leads {@code stream}, or {@code until}; returns when, or -1. */
    static long awaitNewStreamLeader(NatsCluster cluster, Connection connection, String stream, int paused, long until)
            throws InterruptedException {
        long failedOverAt = -1;
        while (System.nanoTime() < until) {
            int leader = cluster.streamLeader(connection, stream);
            if (failedOverAt < 0 && leader >= 0 && leader != paused) {
                failedOverAt = System.nanoTime();
            }
            Thread.sleep(200);
        }
        return failedOverAt;
    }

    /** Where the leaders and the workers are: "CAF_ASSIGNMENTS@n1 caf-workers@n2 CAF_OUTCOMES@n3; w0->n1 ...". */
    static String placement(NatsCluster cluster, ClusterWorkers workers, Connection connection) {
        List<String> where = new ArrayList<>();
        where.add(ASSIGNMENTS + "@" + name(cluster, cluster.streamLeader(connection, ASSIGNMENTS)));
        where.add(CONSUMER + "@" + name(cluster, cluster.consumerLeader(connection, ASSIGNMENTS, CONSUMER)));
        where.add(OUTCOMES + "@" + name(cluster, cluster.streamLeader(connection, OUTCOMES)) + ";");
        for (int w = 0; w < workers.size(); w++) {
            where.add("w" + w + "->" + name(cluster, workers.connectedNode(w, cluster)));
        }
        return String.join(" ", where);
    }

    static String name(NatsCluster cluster, int node) {
        return node < 0 ? "none" : cluster.node(node).name();
    }
}
