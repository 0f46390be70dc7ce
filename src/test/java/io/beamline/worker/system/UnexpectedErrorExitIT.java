package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker whose jar is rebuilt in place while it runs (the launcher rebuilds a stale jar for the
 * next worker started from the same checkout) cannot load the classes its shutdown needs. It must
 * still end when asked to stop, not stay up on the NATS client's threads serving nothing.
 */
class UnexpectedErrorExitIT {
    @TempDir
    Path dir;

    @Test
    void aWorkerWhoseJarIsReplacedUnderItStillExitsOnSigterm() throws Exception {
        Path jar = dir.resolve("beamline-worker.jar");
        Files.copy(WorkerProcess.home().resolve("target/beamline-worker.jar"), jar);
        Files.createSymbolicLink(dir.resolve("lib"), WorkerProcess.home().resolve("target/lib"));
        String java = ProcessHandle.current().info().command().orElse("java");
        int health = NatsServer.freePort();
        try (NatsServer nats = NatsServer.start()) {
            ProcessBuilder builder = new ProcessBuilder(List.of(java, "-jar", jar.toString(), "serve", "--sandbox",
                    "--nats-url", nats.url(), "--health-endpoint", "127.0.0.1:" + health,
                    "--prometheus-endpoint", "127.0.0.1:" + NatsServer.freePort(), "--data-dir", dir.resolve("data").toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("worker.log").toFile());
            builder.environment().keySet().removeIf(key -> key.startsWith("CP2_") || key.startsWith("WORKER_"));
            Process worker = builder.start();
            try {
                HttpClient http = HttpClient.newHttpClient();
                HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health + "/_health")).build();
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
                        .until(() -> http.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200);

                Files.write(jar, new byte[0]);  // in place, as a build writing over it: the open file shrinks
                worker.destroy();  // SIGTERM

                assertThat(worker.waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM; log:\n"
                        + Files.readString(dir.resolve("worker.log"))).isTrue();
            } finally {
                worker.destroyForcibly();
            }
        }
    }
}
