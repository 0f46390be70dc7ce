package io.beamline.worker.observability;

import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real worker process ({@code bin/beamline-worker serve}, real blocks unless the environment
 * asks for the sandbox) on its own nats-server, with a Router stand-in and the worker's two
 * HTTP ports known, so tests can drive traffic and scrape {@code /metrics} as Prometheus would.
 * Each instance has its own broker so that two workers never share the queue group. Not
 * thread-safe; one per test class.
 */
final class MonitoredWorker implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final NatsServer nats;
    private final WorkerProcess process;
    private final int healthPort;
    private final int metricsPort;
    private NatsProbe router;

    private MonitoredWorker(NatsServer nats, WorkerProcess process, int healthPort, int metricsPort) {
        this.nats = nats;
        this.process = process;
        this.healthPort = healthPort;
        this.metricsPort = metricsPort;
    }

    /** Starts a broker and a worker with exactly {@code env} (CP2_ and WORKER_ variables), waits until healthy. */
    static MonitoredWorker start(Map<String, String> env, Path dataDir, String... extraArgs) throws Exception {
        NatsServer nats = NatsServer.start();
        int health = NatsServer.freePort();
        int metrics = NatsServer.freePort();
        List<String> args = new ArrayList<>(List.of("serve", "--nats-url", nats.url(),
                "--health-endpoint", "127.0.0.1:" + health, "--prometheus-endpoint", "127.0.0.1:" + metrics,
                "--data-dir", dataDir.toString(), "--shutdown-grace-ms", "5000"));
        args.addAll(List.of(extraArgs));
        WorkerProcess process;
        try {
            process = WorkerProcess.builder(args.toArray(String[]::new)).env(env).start();
        } catch (IOException e) {
            nats.close();
            throw e;
        }
        MonitoredWorker worker = new MonitoredWorker(nats, process, health, metrics);
        try {
            worker.awaitHealthy(Duration.ofSeconds(60));
            worker.router = new NatsProbe(nats.url());
            return worker;
        } catch (Exception e) {
            worker.close();
            throw e;
        }
    }

    NatsProbe router() {
        return router;
    }

    WorkerProcess process() {
        return process;
    }

    /** {@code GET /metrics} on the prometheus endpoint; fails unless it answers 200 in the text format. */
    String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get(metricsPort, "/metrics");
        String contentType = response.headers().firstValue("Content-Type").orElse("");
        if (response.statusCode() != 200 || !contentType.startsWith("text/plain")) {
            throw new AssertionError("/metrics answered " + response.statusCode() + " " + contentType + ": " + response.body());
        }
        return response.body();
    }

    Exposition exposition() throws IOException, InterruptedException {
        return Exposition.parse(scrape());
    }

    HttpResponse<String> getHealthServer(String path) throws IOException, InterruptedException {
        return get(healthPort, path);
    }

    private static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.process().isAlive()) {
                throw new IOException("worker exited with " + process.process().exitValue() + ":\n" + process.stderr());
            }
            try {
                if (get(healthPort, "/_health").statusCode() == 200) {
                    return;
                }
            } catch (IOException notListeningYet) {
                // the worker is still starting
            }
            Thread.sleep(100);
        }
        throw new IOException("worker not healthy within " + timeout + ":\n" + process.stderr());
    }

    @Override
    public void close() throws Exception {
        if (router != null) {
            router.close();
        }
        process.close();
        nats.close();
    }
}
