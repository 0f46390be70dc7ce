package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Connection loss, recovery and graceful shutdown of a {@code serve} process. */
class ServeLifecycleIT {

    @Test
    void credentialsInTheNatsUrlAreShownNeitherOnTheHealthEndpointNorInTheLogs() throws Exception {
        try (NatsServer nats = NatsServer.start();
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url().replace("nats://", "nats://alice:s3cretpw@"), Map.of())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.get("/_health").status() == 200);
            String health = worker.get("/_health").body();
            assertThat(health).contains("***@").doesNotContain("s3cretpw");
            nats.stop();
            await().atMost(Duration.ofSeconds(15)).until(() -> worker.get("/_health").status() == 503);
            assertThat(worker.get("/_health").body()).doesNotContain("s3cretpw");
            assertThat(worker.stderr()).doesNotContain("s3cretpw");
        }
    }

    @Test
    void healthIsUnhealthyWhileNatsIsDownAndTheWorkerRecoversOnItsOwn() throws Exception {
        try (NatsServer nats = NatsServer.start();
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of())) {
            // when the server goes away
            nats.stop();

            // then health turns 503 with the nats check failing, and the process stays up
            await().atMost(Duration.ofSeconds(15)).until(() -> worker.get("/_health").status() == 503);
            JsonNode health = Json.mapper().readTree(worker.get("/_health").body());
            assertThat(health.get("status").asText()).isEqualTo("unhealthy");
            assertThat(health.get("checks").get("nats").get("status").asText()).isEqualTo("unhealthy");
            assertThat(health.get("checks").get("intake").get("status").asText()).as("nothing arrives").isEqualTo("unhealthy");
            assertThat(health.has("timestamp")).isTrue();
            assertThat(worker.process().isAlive()).isTrue();

            // when it comes back, the worker reconnects without help and serves again
            nats.launch();
            await().atMost(Duration.ofSeconds(30)).until(() -> worker.get("/_health").status() == 200);
            try (NatsProbe router = new NatsProbe(nats.url())) {
                ObjectNode assignment = Assignments.fsGet("/after-restart");
                String id = assignment.get("assignment_id").asText();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
                    if (router.resultsFor(id).isEmpty()) {
                        router.publish(Assignments.bytes(assignment));  // resubscription may lag the reconnect
                    }
                    return !router.resultsFor(id).isEmpty();
                });
            }
        }
    }

    @Test
    void twoWorkersStartedOnOneDataDirBothServe(@TempDir Path data) throws Exception {
        try (NatsServer nats = NatsServer.start();
             WorkerProcess first = WorkerProcess.serveSandbox(nats.url(), Map.of(), "--data-dir", data.toString());
             WorkerProcess second = WorkerProcess.serveSandbox(nats.url(), Map.of(), "--data-dir", data.toString());
             NatsProbe router = new NatsProbe(nats.url())) {
            // both are up (serveSandbox waited for each to be healthy); the queue group shares the work
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ObjectNode assignment = Assignments.fsGet("/shared-" + i);
                ids.add(assignment.get("assignment_id").asText());
                router.publish(Assignments.bytes(assignment));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> ids.stream().allMatch(id -> router.resultsFor(id).size() == 1));
            assertThat(first.get("/_health").status()).isEqualTo(200);
            assertThat(second.get("/_health").status()).isEqualTo(200);
        }
    }

    @Test
    void sigtermWhileNatsHasNeverBeenReachableExitsZero() throws Exception {
        int health = NatsServer.freePort();
        String nowhere = "nats://127.0.0.1:" + NatsServer.freePort();  // nothing listens there
        try (WorkerProcess worker = WorkerProcess.builder("serve", "--nats-url", nowhere,
                        "--health-endpoint", "127.0.0.1:" + health, "--prometheus-endpoint", "127.0.0.1:" + NatsServer.freePort())
                .env(Map.of("WORKER_SANDBOX_MODE", "true")).healthPort(health).start()) {
            // up (its health server answers, unhealthy) and still trying to connect
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> worker.get("/_health").status() == 503);

            assertThat(worker.terminate(Duration.ofSeconds(20))).as("exit code; stderr: %s", worker.stderr()).isZero();
        }
    }

    /**
     * Regression: /metrics answered 404 until the first connection, so Prometheus saw a worker
     * that could not reach NATS as down, and WorkerNatsDisconnected never fired for it.
     */
    @Test
    void metricsAnswerWhileNatsHasNeverBeenReachable() throws Exception {
        int health = NatsServer.freePort();
        int metrics = NatsServer.freePort();
        String nowhere = "nats://127.0.0.1:" + NatsServer.freePort();  // nothing listens there
        try (WorkerProcess worker = WorkerProcess.builder("serve", "--nats-url", nowhere,
                        "--health-endpoint", "127.0.0.1:" + health, "--prometheus-endpoint", "127.0.0.1:" + metrics)
                .env(Map.of("WORKER_SANDBOX_MODE", "true", "CP2_OBSERVABILITY_METRICS_ENABLED", "true"))
                .healthPort(health).start()) {
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> worker.get("/_health").status() == 503);

            // the nats check is registered by the thread that is still trying to connect
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                WorkerProcess.HttpReply scrape = WorkerProcess.get(metrics, "/metrics");

                assertThat(scrape.status()).as(scrape.body()).isEqualTo(200);
                assertThat(scrape.body().lines())
                        .contains("worker_nats_connected 0.0")
                        .anySatisfy(line -> assertThat(line).startsWith("worker_tasks_total{"))
                        .anySatisfy(line -> assertThat(line).startsWith("worker_health_status{check=\"nats\"} 0.0"))
                        .anySatisfy(line -> assertThat(line).startsWith("jvm_"));
            });
        }
    }

    /**
     * Audit finding: until the worker existed (NATS reached), the approval API and the
     * assignment status answered 404 "no such route": an approver following a link to an
     * approval waiting on disk was told it does not exist. They answer 503 "starting" now.
     */
    @Test
    void approvalsAndAssignmentStatusSayStartingUntilNatsIsReached(@TempDir Path data) throws Exception {
        int health = NatsServer.freePort();
        try (NatsServer nats = NatsServer.start()) {
            nats.kill();  // its port: nothing listens there until it is launched again
            try (WorkerProcess worker = WorkerProcess.builder("serve", "--nats-url", nats.url(), "--data-dir", data.toString(),
                            "--health-endpoint", "127.0.0.1:" + health, "--prometheus-endpoint", "127.0.0.1:" + NatsServer.freePort())
                    .env(Map.of("WORKER_SANDBOX_MODE", "false")).healthPort(health).start()) {
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> worker.get("/_health").status() == 503);

                for (String path : List.of("/approvals", "/approvals/ui", "/approvals/some-id", "/assignments/some-id")) {
                    var reply = java.net.http.HttpClient.newHttpClient().send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + health + path)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(reply.statusCode()).as(path).isEqualTo(503);
                    assertThat(Json.mapper().readTree(reply.body()).path("reason").asText()).as(path).isEqualTo("starting");
                    assertThat(reply.headers().firstValue("Retry-After")).as(path).contains("1");
                }
                assertThat(worker.get("/elsewhere").status()).isEqualTo(404);

                nats.launch();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                        assertThat(worker.get("/approvals").status()).isEqualTo(200));
                assertThat(worker.get("/assignments/some-id").status()).isEqualTo(404);
            }
        }
    }

    @Test
    void sigtermAfterNatsWentAwayExitsZero() throws Exception {
        try (NatsServer nats = NatsServer.start();
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of())) {
            nats.kill();
            await().atMost(Duration.ofSeconds(15)).until(() -> worker.get("/_health").status() == 503);

            assertThat(worker.terminate(Duration.ofSeconds(30))).as("exit code; stderr: %s", worker.stderr()).isZero();
            assertThat(worker.stderr()).doesNotContain("Exception in thread");
        }
    }

    @Test
    void sigtermDrainsInFlightWorkPublishesEveryResultAndExitsZero() throws Exception {
        try (NatsServer nats = NatsServer.start();
             NatsProbe router = new NatsProbe(nats.url());
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), Map.of())) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                ObjectNode assignment = Assignments.fsGet("/drain-" + i);
                ids.add(assignment.get("assignment_id").asText());
                router.publish(Assignments.bytes(assignment));
            }
            router.flush();
            await().atMost(Duration.ofSeconds(20)).until(() -> router.acks.size() >= ids.size());

            int exit = worker.terminate(Duration.ofSeconds(30));

            assertThat(exit).isZero();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(ids).allMatch(id -> router.resultsFor(id).size() == 1));
            assertThat(worker.stderr()).contains("shutting down gracefully");
        }
    }
}
