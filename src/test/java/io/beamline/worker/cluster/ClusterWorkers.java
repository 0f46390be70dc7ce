package io.beamline.worker.cluster;

import static org.awaitility.Awaitility.await;

import io.beamline.worker.contract.Json;
import io.beamline.worker.support.NatsCluster;
import io.beamline.worker.support.WorkerProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * The worker processes of a cluster test: real {@code bin/beamline-worker serve} processes with
 * the real blocks, each with its own id ({@code w0}, {@code w1}, ...) and its own data dir, as on
 * separate machines. Knows which node each one is connected to (from its health check) and how
 * many files it has written. Not thread-safe.
 */
final class ClusterWorkers implements AutoCloseable {
    private final List<WorkerProcess> processes;
    private final List<Path> dataDirs;

    private ClusterWorkers(List<WorkerProcess> processes, List<Path> dataDirs) {
        this.processes = processes;
        this.dataDirs = dataDirs;
    }

    /**
     * Starts {@code count} workers; worker {@code i} gets {@code --nats-url natsUrl(i)} and
     * {@code args}. The first starts alone (it creates the streams), the others together.
     */
    static ClusterWorkers start(int count, Path data, IntFunction<String> natsUrl, String... args) throws Exception {
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            dirs.add(data.resolve("w" + i));
        }
        List<WorkerProcess> processes = new ArrayList<>();
        processes.add(launch(0, dirs.get(0), natsUrl.apply(0), args));
        List<CompletableFuture<WorkerProcess>> rest = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            int index = i;
            rest.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return launch(index, dirs.get(index), natsUrl.apply(index), args);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }));
        }
        try {
            for (CompletableFuture<WorkerProcess> started : rest) {
                processes.add(started.get());
            }
        } catch (Exception e) {
            new ClusterWorkers(processes, dirs).close();
            throw e;
        }
        return new ClusterWorkers(List.copyOf(processes), List.copyOf(dirs));
    }

    private static WorkerProcess launch(int index, Path dir, String natsUrl, String... args) throws IOException {
        List<String> all = new ArrayList<>(List.of("--worker-id", "w" + index, "--data-dir", dir.toString()));
        all.addAll(List.of(args));
        return WorkerProcess.serveSandbox(natsUrl, Map.of("WORKER_SANDBOX_MODE", "false", "WORKER_LOG_LEVEL", "WARN"),
                all.toArray(String[]::new));
    }

    int size() {
        return processes.size();
    }

    WorkerProcess get(int index) {
        return processes.get(index);
    }

    /** The message of the worker's {@code nats} health check ("connected to nats://...", or why not). */
    String natsCheck(int index) {
        try {
            return Json.readTree(processes.get(index).get("/_health").body().getBytes())
                    .path("checks").path("nats").path("message").asText();
        } catch (IOException unreachable) {
            return "health endpoint unreachable: " + unreachable;
        }
    }

    /** Index of the node the worker is connected to, or -1 while it is not connected. */
    int connectedNode(int index, NatsCluster cluster) {
        String check = natsCheck(index);
        return check.startsWith("connected to ") ? cluster.nodeMentionedIn(check) : -1;
    }

    /** The node most workers are connected to. */
    int busiestNode(NatsCluster cluster) {
        int[] workersOn = new int[cluster.size()];
        for (int i = 0; i < size(); i++) {
            int node = connectedNode(i, cluster);
            if (node >= 0) {
                workersOn[node]++;
            }
        }
        int busiest = 0;
        for (int node = 1; node < workersOn.length; node++) {
            busiest = workersOn[node] > workersOn[busiest] ? node : busiest;
        }
        return busiest;
    }

    /**
     * Files this worker's fs.put steps have written so far. Lists names only: a walk that
     * reads attributes fails on the temporary files that are renamed away while it runs.
     */
    long filesWritten(int index) {
        File[] folders = dataDirs.get(index).resolve("tenant-test").toFile().listFiles(File::isDirectory);
        long written = 0;
        for (File folder : folders == null ? new File[0] : folders) {
            String[] names = folder.list((parent, name) -> name.endsWith(".txt"));
            written += names == null ? 0 : names.length;
        }
        return written;
    }

    /** {@link #filesWritten} of every worker, by index. */
    long[] filesWrittenByEach() {
        long[] files = new long[size()];
        for (int w = 0; w < files.length; w++) {
            files[w] = filesWritten(w);
        }
        return files;
    }

    /** Waits until the worker reports a connection to a node other than {@code lost}; returns when ({@link System#nanoTime()}). */
    long awaitReconnected(int worker, NatsCluster cluster, int lost) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            int node = connectedNode(worker, cluster);
            return node >= 0 && node != lost && cluster.node(node).isRunning();
        });
        return System.nanoTime();
    }

    /** What each worker logged, counted by message (see {@link WorkerLogs}). */
    String logSummary() {
        return WorkerLogs.summary(processes);
    }

    @Override
    public void close() throws InterruptedException {
        for (WorkerProcess process : processes) {
            process.close();
        }
    }
}
