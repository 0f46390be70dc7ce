package io.beamline.worker.support;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ClusterInfo;
import io.nats.client.api.Replica;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A real three-node {@code nats-server} cluster with JetStream on loopback, for tests: three
 * processes (n1, n2, n3), each with its own client port, cluster port and store, routed to
 * the others. Any one node can be killed (SIGKILL), stopped (SIGTERM), paused (SIGSTOP),
 * resumed and restarted on the same ports and store. Not thread-safe; one per test.
 */
public final class NatsCluster implements AutoCloseable {
    private static final Duration JETSTREAM_READY = Duration.ofSeconds(60);

    private final List<NatsClusterNode> nodes;

    private NatsCluster(List<NatsClusterNode> nodes) {
        this.nodes = nodes;
    }

    /** Starts three nodes with their files under {@code directory} and waits until JetStream has a quorum. */
    public static NatsCluster start(Path directory) throws IOException, InterruptedException {
        List<NatsClusterNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            nodes.add(new NatsClusterNode("n" + i, NatsServer.freePort(), NatsServer.freePort(), directory.resolve("n" + i)));
        }
        NatsCluster cluster = new NatsCluster(List.copyOf(nodes));
        try {
            for (NatsClusterNode node : nodes) {
                node.writeConfig(nodes);
                node.launch();
            }
            cluster.awaitJetStreamReady();
        } catch (IOException | RuntimeException | InterruptedException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** All client URLs, comma-separated, as {@code --nats-url} takes them. */
    public String urls() {
        return nodes.stream().map(NatsClusterNode::url).collect(Collectors.joining(","));
    }

    public NatsClusterNode node(int index) {
        return nodes.get(index);
    }

    public int size() {
        return nodes.size();
    }

    /** Index of the node whose client URL appears in {@code text} (a health message), or -1. */
    public int nodeMentionedIn(String text) {
        for (int i = 0; i < nodes.size(); i++) {
            if (text.contains(nodes.get(i).url())) {
                return i;
            }
        }
        return -1;
    }

    /** Index of the node that leads {@code stream}'s replica group; -1 while none does or none answers. */
    public int streamLeader(Connection connection, String stream) {
        try {
            ClusterInfo info = connection.jetStreamManagement().getStreamInfo(stream).getClusterInfo();
            return info == null || info.getLeader() == null ? -1 : nodeNamed(info.getLeader());
        } catch (IOException | JetStreamApiException electingOrUnreachable) {
            return -1;
        }
    }

    /** Index of the node that leads the durable {@code consumer} of {@code stream}; -1 while none does or none answers. */
    public int consumerLeader(Connection connection, String stream, String consumer) {
        try {
            ClusterInfo info = connection.jetStreamManagement().getConsumerInfo(stream, consumer).getClusterInfo();
            return info == null || info.getLeader() == null ? -1 : nodeNamed(info.getLeader());
        } catch (IOException | JetStreamApiException electingOrUnreachable) {
            return -1;
        }
    }

    /** Index of the node with server name {@code name}, or -1. */
    public int nodeNamed(String name) {
        for (int i = 0; i < nodes.size(); i++) {
            if (nodes.get(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /** True when {@code stream} has a leader and every follower is online and current. */
    public static boolean replicasCurrent(Connection connection, String stream) throws IOException, JetStreamApiException {
        ClusterInfo info = connection.jetStreamManagement().getStreamInfo(stream).getClusterInfo();
        List<Replica> followers = info.getReplicas() == null ? List.of() : info.getReplicas();
        return info.getLeader() != null && followers.stream().allMatch(r -> r.isCurrent() && !r.isOffline());
    }

    public void kill(int index) throws InterruptedException {
        nodes.get(index).kill();
    }

    public void stop(int index) throws IOException, InterruptedException {
        nodes.get(index).stop();
    }

    public void pause(int index) throws IOException, InterruptedException {
        nodes.get(index).pause();
    }

    public void resume(int index) throws IOException, InterruptedException {
        nodes.get(index).resume();
    }

    /** Starts a node again on the same ports and store (stopping it first if it still runs). */
    public void restart(int index) throws IOException, InterruptedException {
        nodes.get(index).stop();
        nodes.get(index).launch();
    }

    /**
     * Waits until the cluster can create a stream with three replicas: all nodes are routed and
     * a JetStream meta leader is elected. The probe stream is deleted again.
     */
    private void awaitJetStreamReady() throws IOException, InterruptedException {
        Options options = new Options.Builder().servers(urls().split(",")).connectionTimeout(Duration.ofSeconds(2))
                .maxReconnects(-1).build();
        long deadline = System.nanoTime() + JETSTREAM_READY.toNanos();
        Exception last = null;
        try (Connection connection = Nats.connectReconnectOnConnect(options)) {
            JetStreamManagement jsm = connection.jetStreamManagement(
                    JetStreamOptions.builder().requestTimeout(Duration.ofSeconds(2)).build());
            while (System.nanoTime() < deadline) {
                try {
                    jsm.addStream(StreamConfiguration.builder().name("CLUSTER_READY_PROBE").subjects("cluster.ready.probe")
                            .storageType(StorageType.Memory).replicas(nodes.size()).build());
                    jsm.deleteStream("CLUSTER_READY_PROBE");
                    return;
                } catch (IOException | JetStreamApiException notYet) {
                    last = notYet;
                    Thread.sleep(250);
                }
            }
        }
        throw new IOException("JetStream cluster not ready within " + JETSTREAM_READY + ": " + last);
    }

    @Override
    public void close() throws InterruptedException {
        for (NatsClusterNode node : nodes) {
            try {
                node.stop();
            } catch (IOException e) {
                node.kill();
            }
        }
    }
}
