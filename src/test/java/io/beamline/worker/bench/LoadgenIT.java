package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** bin/beamline-worker loadgen and echo as processes, and the load generator against a real worker. */
class LoadgenIT {
    private NatsServer nats;

    @BeforeEach
    void startNats() throws Exception {
        nats = NatsServer.start();
    }

    @AfterEach
    void stopNats() throws Exception {
        nats.close();
    }

    @Test
    void echoAndLoadgenRunFromTheCommandLine() throws Exception {
        try (WorkerProcess echo = WorkerProcess.builder("echo", "--nats-url", nats.url()).start()) {
            await().atMost(Duration.ofSeconds(60)).until(() -> echo.stderr().contains("answering"));

            WorkerProcess loadgen = WorkerProcess.builder("loadgen", "--nats-url", nats.url(), "--count", "2000",
                    "--warmup", "100", "--max-in-flight", "100", "--label", "it", "--json").run(Duration.ofSeconds(90));

            assertThat(loadgen.process().exitValue()).as(loadgen.stderr()).isZero();
            assertThat(loadgen.stdout()).startsWith("{\"label\":\"it\"").contains("\"ok\":true", "\"sent\":2000");
            assertThat(loadgen.stderr()).contains("throughput", "p99");
            assertThat(echo.terminate(Duration.ofSeconds(30))).isZero();
        }
    }

    @Test
    void aSandboxWorkerGivesEveryAssignmentOfEveryTypeExactlyOneOutcomeEvenWithCancels() throws Exception {
        try (WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(),
                Map.of("CP2_CANCELLATION_ENABLED", "true", "WORKER_LOG_LEVEL", "WARN"));
             Connection connection = Nats.connect(nats.url())) {
            LoadgenConfig config = new LoadgenConfig(List.of(nats.url()), 3_000, 0, 3,
                    JobMix.parse("http.request=1,fs.get=1,fs.put=1,fs.delete=1,sql.query=1,human.approval=1"), 512,
                    60_000, 300, 0.1, 200, 0, "sandbox-it");

            LoadReport report = new LoadRun(connection, config, "it0001").run();

            assertThat(report.ok()).as(report.text()).isTrue();
            assertThat(report.measured().acks()).containsOnlyKeys("accepted");
            assertThat(report.measured().results().keySet()).isSubsetOf("success", "cancelled");
            assertThat(report.sent().cancels()).isEqualTo(300);
        }
    }

    @Test
    void rejectedAssignmentsCountAsOutcomesAndGetNoResult() throws Exception {
        try (WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of("WORKER_LOG_LEVEL", "WARN"),
                "--tenant-max-executions", "10", "--quota-window-ms", "600000");
             Connection connection = Nats.connect(nats.url())) {
            LoadgenConfig config = new LoadgenConfig(List.of(nats.url()), 100, 0, 3, JobMix.parse("fs.get"), 0,
                    60_000, 0, 0, 0, 0, "quota-it");

            LoadReport report = new LoadRun(connection, config, "it0002").run();

            assertThat(report.ok()).as(report.text()).isTrue();
            assertThat(report.measured().acks()).containsEntry("accepted", 30L).containsEntry("rejected:quota_exceeded", 70L);
            assertThat(report.measured().results()).containsEntry("success", 30L);
        }
    }
}
