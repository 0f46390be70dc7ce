package io.beamline.worker.support;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts {@code bin/beamline-worker serve} with its real blocks (no sandbox), so the
 * {@code human.approval} block keeps its approvals in {@code dataDir}: system tests of
 * approvals, restarts included. Stateless.
 */
public final class ApprovalWorkers {
    private ApprovalWorkers() {
    }

    /** A free port for {@code --health-endpoint}, to be reused by a restarted worker. */
    public static int freeHealthPort() throws IOException {
        return NatsServer.freePort();
    }

    /**
     * Starts {@code serve} against {@code natsUrl} on {@code dataDir} with the health server (and
     * the approval API) on {@code 127.0.0.1:healthPort}, and waits until it is healthy.
     */
    public static WorkerProcess serve(String natsUrl, Path dataDir, int healthPort, String... extraArgs) throws IOException {
        List<String> args = new ArrayList<>(List.of("serve", "--nats-url", natsUrl,
                "--health-endpoint", "127.0.0.1:" + healthPort,
                "--prometheus-endpoint", "127.0.0.1:" + NatsServer.freePort(),
                "--data-dir", dataDir.toString(), "--shutdown-grace-ms", "5000"));
        args.addAll(List.of(extraArgs));
        WorkerProcess worker = WorkerProcess.builder(args.toArray(String[]::new)).env(Map.of())
                .healthPort(healthPort).start();
        worker.awaitHealthy(Duration.ofSeconds(60));
        return worker;
    }
}
