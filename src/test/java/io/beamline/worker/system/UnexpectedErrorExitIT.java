package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker whose jar is written over while it runs cannot load the classes its shutdown needs.
 * It must still end when asked to stop, not stay up on the NATS client's threads serving nothing.
 * (The launcher runs a per-build copy for this reason, see LauncherJarIT; here the worker runs a
 * private copy of the jar directly, so that writing over it touches nothing else.)
 */
class UnexpectedErrorExitIT {
    @TempDir
    Path dir;

    @Test
    void aWorkerWhoseJarIsReplacedUnderItStillExitsOnSigterm() throws Exception {
        Path jar = dir.resolve("beamline-worker.jar");
        Files.copy(WorkerProcess.home().resolve("target/beamline-worker.jar"), jar);
        Files.createSymbolicLink(dir.resolve("lib"), WorkerProcess.home().resolve("target/lib"));
        int health = NatsServer.freePort();
        try (NatsServer nats = NatsServer.start();
             WorkerProcess worker = WorkerProcess.builder("serve", "--sandbox", "--nats-url", nats.url(),
                     "--health-endpoint", "127.0.0.1:" + health, "--prometheus-endpoint", "127.0.0.1:" + NatsServer.freePort(),
                     "--data-dir", dir.resolve("data").toString()).jar(jar).healthPort(health).start()) {
            worker.awaitHealthy(Duration.ofSeconds(60));

            Files.write(jar, new byte[0]);  // in place, as a build writing over it: the open file shrinks
            worker.process().destroy();  // SIGTERM

            assertThat(worker.process().waitFor(60, TimeUnit.SECONDS)).as("exited after SIGTERM; log:\n"
                    + worker.stdout() + worker.stderr()).isTrue();
        }
    }
}
