package io.beamline.worker.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.StepStatus;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.InProcessWorker;
import io.beamline.worker.support.RecordedRequest;
import io.beamline.worker.support.Reply;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §5 against a real HTTP server through the real http.request block: each CP2 flag off
 * keeps the baseline, on gives the new behaviour; attempts and their spacing are measured on
 * the server's side.
 */
class ResilienceIntegrationTest {
    private FaultServer server;
    @TempDir
    Path data;

    @BeforeEach
    void startServer() throws Exception {
        server = FaultServer.start();
    }

    @AfterEach
    void stopServer() throws Exception {
        server.close();
    }

    private InProcessWorker worker(Map<String, String> flags) {
        return new InProcessWorker(flags, "--data-dir", data.toString());
    }

    private static ObjectNode get(String url, Long timeoutMs) {
        return Assignments.withJob("{\"type\":\"http.request\",\"method\":\"GET\",\"url\":\"" + url + "\""
                + (timeoutMs == null ? "" : ",\"timeout_ms\":" + timeoutMs) + "}");
    }

    private static List<Long> gapsMs(List<RecordedRequest> requests) {
        return java.util.stream.IntStream.range(1, requests.size())
                .mapToObj(i -> Duration.between(requests.get(i - 1).arrivedAt(), requests.get(i).arrivedAt()).toMillis()).toList();
    }

    @Test
    void baselineRetriesEvenA404ThreeTimesWithFixedBackoff() {
        server.on("/missing", Reply.status(404));
        try (InProcessWorker worker = worker(Map.of())) {
            ExecResult result = worker.awaitResult(worker.submit(get(server.url("/missing"), 5000L)), Duration.ofSeconds(10));

            assertThat(result.status()).isEqualTo(StepStatus.ERROR);
            assertThat(result.error().code()).isEqualTo(ErrorCode.HTTP_ERROR);
            assertThat(result.error().details()).containsEntry("status_code", 404);
            assertThat(result.retriesUsed()).isEqualTo(2);
            List<RecordedRequest> requests = server.requests("/missing");
            assertThat(requests).hasSize(3);
            assertThat(gapsMs(requests).get(0)).isBetween(90L, 1000L);
            assertThat(gapsMs(requests).get(1)).isBetween(190L, 1100L);
        }
    }

    @Test
    void advancedRetryGivesUpOnA404AtOnceAndBacksOffExponentiallyOn503() {
        server.on("/missing", Reply.status(404));
        server.on("/busy", Reply.status(503));
        try (InProcessWorker worker = worker(Map.of("CP2_ADVANCED_RETRY_ENABLED", "true"))) {
            ExecResult notFound = worker.awaitResult(worker.submit(get(server.url("/missing"), 5000L)), Duration.ofSeconds(10));
            ObjectNode busy = get(server.url("/busy"), 10_000L);
            busy.putObject("retry_config").put("max_attempts", 4).put("jitter", "none").put("base_delay_ms", 100);
            ExecResult unavailable = worker.awaitResult(worker.submit(busy), Duration.ofSeconds(10));

            assertThat(server.requests("/missing")).hasSize(1);
            assertThat(notFound.retriesUsed()).isZero();
            assertThat(notFound.error().retryable()).isFalse();
            assertThat(unavailable.retriesUsed()).isEqualTo(3);
            List<Long> gaps = gapsMs(server.requests("/busy"));
            assertThat(gaps.get(0)).isBetween(90L, 900L);
            assertThat(gaps.get(1)).isBetween(190L, 1000L);
            assertThat(gaps.get(2)).isBetween(390L, 1200L);
            assertThat(gaps.get(2)).isGreaterThan(gaps.get(0));
        }
    }

    @Test
    void nonRetriableFailuresAreDeadLettered() {
        server.on("/missing", Reply.status(404));
        try (InProcessWorker worker = worker(Map.of("CP2_ADVANCED_RETRY_ENABLED", "yes"))) {
            String id = worker.submit(get(server.url("/missing"), 5000L));
            worker.awaitResult(id, Duration.ofSeconds(10));

            // the dead letter is published just after the result: wait for it rather than race it
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(worker.sink.deadLetters).anyMatch(d -> id.equals(d.assignmentId()) && d.attempts() == 1));
        }
    }

    @Test
    void aStepWithAOneSecondBudgetAgainstASlow503EndsAsTimeoutWithinTheBudget() {
        server.on("/slow-503", Reply.status(503).delayHeaders(Duration.ofMillis(300)));
        for (Map<String, String> flags : List.of(
                Map.of("CP2_COMPLETE_TIMEOUT_ENABLED", "true"),
                Map.of("CP2_ADVANCED_RETRY_ENABLED", "true"),
                Map.of("CP2_COMPLETE_TIMEOUT_ENABLED", "true", "CP2_ADVANCED_RETRY_ENABLED", "true"))) {
            try (InProcessWorker worker = worker(flags)) {
                ObjectNode step = get(server.url("/slow-503"), 1000L);
                step.putObject("retry_config").put("max_attempts", 20);
                long started = System.nanoTime();

                ExecResult result = worker.awaitResult(worker.submit(step), Duration.ofSeconds(10));

                long tookMs = (System.nanoTime() - started) / 1_000_000;
                assertThat(result.status()).as(flags.toString()).isEqualTo(StepStatus.TIMEOUT);
                assertThat(result.error().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
                assertThat(tookMs).as(flags + " took " + tookMs + " ms").isLessThan(1000 + 250);
            }
        }
    }

    @Test
    void withoutCompleteTimeoutTheBudgetDoesNotCutRetriesShort() {
        server.on("/slow-503", Reply.status(503).delayHeaders(Duration.ofMillis(300)));
        try (InProcessWorker worker = worker(Map.of())) {
            ExecResult result = worker.awaitResult(worker.submit(get(server.url("/slow-503"), 1000L)), Duration.ofSeconds(10));

            assertThat(result.status()).isEqualTo(StepStatus.ERROR);
            assertThat(server.requests("/slow-503")).hasSize(3);
            assertThat(result.latencyMs()).isGreaterThan(1000);
        }
    }

    @Test
    void cancellingAStepSleepingBetweenRetriesEndsItWithin100Ms() {
        server.on("/busy", Reply.status(503));
        try (InProcessWorker worker = worker(Map.of("CP2_CANCELLATION_ENABLED", "true", "CP2_ADVANCED_RETRY_ENABLED", "true"))) {
            ObjectNode step = get(server.url("/busy"), 60_000L);
            step.putObject("retry_config").put("max_attempts", 5).put("base_delay_ms", 10_000).put("jitter", "none");
            String id = worker.submit(step);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> worker.worker().registry().inFlight(id)
                    .map(s -> s.state() == io.beamline.worker.runtime.Step.State.BACKING_OFF).orElse(false));

            long cancelled = System.nanoTime();
            worker.cancel(id, "tenant-test");
            ExecResult result = worker.awaitResult(id, Duration.ofSeconds(5));

            assertThat((System.nanoTime() - cancelled) / 1_000_000).isLessThan(100);
            assertThat(result.status()).isEqualTo(StepStatus.CANCELLED);
            assertThat(result.error().code()).isEqualTo(ErrorCode.CANCELLED_BY_USER);
            assertThat(server.requests("/busy")).hasSize(1);
        }
    }

    @Test
    void cancellingARunningRequestAbortsItAndTheServerSeesTheConnectionClose() {
        server.on("/hang", new Reply.Blackhole());
        try (InProcessWorker worker = worker(Map.of("CP2_CANCELLATION_ENABLED", "true"))) {
            String id = worker.submit(get(server.url("/hang"), 60_000L));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.requests("/hang").size() == 1);

            worker.cancel(id, "tenant-test");
            ExecResult result = worker.awaitResult(id, Duration.ofSeconds(5));

            assertThat(result.status()).isEqualTo(StepStatus.CANCELLED);
            assertThat(server.requests("/hang")).hasSize(1);
        }
    }

    @Test
    void withCancellationOffACancelIsIgnoredAndTheStepCompletes() {
        server.on("/slow", Reply.ok("done").delayHeaders(Duration.ofMillis(400)));
        try (InProcessWorker worker = worker(Map.of())) {
            String id = worker.submit(get(server.url("/slow"), 5000L));
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> server.requests("/slow").size() == 1);

            worker.cancel(id, "tenant-test");

            assertThat(worker.awaitResult(id, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);
        }
    }

    @Test
    void aCancelForAnotherTenantOrAnUnknownAssignmentIsHarmless() {
        server.on("/slow", Reply.ok("done").delayHeaders(Duration.ofMillis(300)));
        try (InProcessWorker worker = worker(Map.of("CP2_CANCELLATION_ENABLED", "true"))) {
            String id = worker.submit(get(server.url("/slow"), 5000L));

            worker.cancel(id, "someone-else");
            worker.cancel(id, null);  // no tenant: it could be anyone's cancel
            worker.cancel("no-such-assignment", "tenant-test");
            worker.worker().coordinator().onCancelMessage("not json".getBytes());
            worker.worker().coordinator().onCancelMessage("null".getBytes());
            worker.worker().coordinator().onCancelMessage("{\"assignment_id\":123,\"tenant_id\":\"tenant-test\"}".getBytes());

            assertThat(worker.awaitResult(id, Duration.ofSeconds(5)).status()).isEqualTo(StepStatus.SUCCESS);
            assertThat(worker.sink.deadLetters).anyMatch(d -> d.error().message().contains("unreadable cancel"));
            assertThat(worker.sink.deadLetters).as("a JSON null is dead-lettered, not dropped")
                    .anyMatch(d -> d.error().message().contains("not a JSON object") && "null".equals(String.valueOf(d.payload())));
            assertThat(worker.sink.deadLetters).as("a number is no id, not even \"123\"")
                    .anyMatch(d -> d.error().message().contains("assignment_id must be a string"));
            assertThat(worker.sink.deadLetters).filteredOn(d -> d.error().message().contains("missing tenant_id"))
                    .singleElement().satisfies(letter -> {
                        assertThat(letter.assignmentId()).as("the cancel's id, though it was refused").isEqualTo(id);
                        assertThat(letter.payload()).as("the JSON document, not its text").isInstanceOf(JsonNode.class);
                    });
        }
    }

    @Test
    void breakerOpensOnADeadEndpointFailsFastAndRecoversOnceItIsHealthy() throws Exception {
        server.on("/flaky", Reply.status(500), Reply.status(500), Reply.status(500), Reply.ok("back"));
        server.on("/other", Reply.ok("fine"));
        try (InProcessWorker worker = new InProcessWorker(Map.of("CP2_CIRCUIT_BREAKER_ENABLED", "true", "CP2_ADVANCED_RETRY_ENABLED", "true"),
                "--data-dir", data.toString(), "--breaker-failure-threshold", "3", "--breaker-success-threshold", "1",
                "--breaker-delay-ms", "500", "--retry-max-attempts", "1")) {
            for (int i = 0; i < 3; i++) {
                worker.awaitResult(worker.submit(get(server.url("/flaky"), 5000L)), Duration.ofSeconds(5));
            }

            ExecResult fastFail = worker.awaitResult(worker.submit(get(server.url("/flaky"), 5000L)), Duration.ofSeconds(5));
            ExecResult otherEndpoint = worker.awaitResult(worker.submit(get(server.url("/other").replace("127.0.0.1", "localhost"), 5000L)),
                    Duration.ofSeconds(5));

            assertThat(fastFail.error().code()).isEqualTo(ErrorCode.RESOURCE_UNAVAILABLE);
            assertThat(server.requests("/flaky")).hasSize(3);
            assertThat(otherEndpoint.status()).isEqualTo(StepStatus.SUCCESS);

            Thread.sleep(700);
            ExecResult recovered = worker.awaitResult(worker.submit(get(server.url("/flaky"), 5000L)), Duration.ofSeconds(5));
            assertThat(recovered.status()).isEqualTo(StepStatus.SUCCESS);
            assertThat(server.requests("/flaky")).hasSize(4);
        }
    }

    @Test
    void optionallyAnOpenBreakerRejectsAtAdmissionWithRetryAfter() {
        server.on("/down", Reply.status(503));
        try (InProcessWorker worker = new InProcessWorker(Map.of("CP2_CIRCUIT_BREAKER_ENABLED", "true", "CP2_ADVANCED_RETRY_ENABLED", "true"),
                "--data-dir", data.toString(), "--breaker-failure-threshold", "2", "--retry-max-attempts", "1",
                "--reject-when-circuit-open")) {
            worker.awaitResult(worker.submit(get(server.url("/down"), 5000L)), Duration.ofSeconds(5));
            worker.awaitResult(worker.submit(get(server.url("/down"), 5000L)), Duration.ofSeconds(5));

            String refused = worker.submit(get(server.url("/down"), 5000L));

            var ack = worker.sink.ackFor(refused).orElseThrow();
            assertThat(ack.reason()).isEqualTo(io.beamline.worker.contract.RejectReason.CIRCUIT_OPEN);
            assertThat(ack.errorCode()).isEqualTo(ErrorCode.RESOURCE_UNAVAILABLE);
            assertThat(ack.retryAfterMs()).isPositive();
        }
    }

    @Test
    void withoutBreakersEveryStepCallsTheDeadEndpoint() {
        server.on("/dead", Reply.status(500));
        try (InProcessWorker worker = worker(Map.of("CP2_ADVANCED_RETRY_ENABLED", "true"))) {
            for (int i = 0; i < 4; i++) {
                ObjectNode step = get(server.url("/dead"), 5000L);
                step.putObject("retry_config").put("max_attempts", 1);
                worker.awaitResult(worker.submit(step), Duration.ofSeconds(5));
            }

            assertThat(server.requests("/dead")).hasSize(4);
        }
    }

    @Test
    void retryAfterOn429IsHonouredFromTheServersSide() {
        server.on("/limited", Reply.retryAfter(429, "1"), Reply.ok("now"));
        try (InProcessWorker worker = worker(Map.of("CP2_ADVANCED_RETRY_ENABLED", "true"))) {
            ExecResult result = worker.awaitResult(worker.submit(get(server.url("/limited"), 10_000L)), Duration.ofSeconds(10));

            assertThat(result.status()).isEqualTo(StepStatus.SUCCESS);
            assertThat(gapsMs(server.requests("/limited")).getFirst()).isGreaterThanOrEqualTo(990L);
        }
    }
}
