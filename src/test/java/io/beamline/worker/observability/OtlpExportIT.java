package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Subjects;
import io.beamline.worker.runtime.StepTracer;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsProbe;
import io.beamline.worker.support.NatsServer;
import io.beamline.worker.support.WorkerProcess;
import io.nats.client.impl.Headers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real OTLP round trip: a worker process configured only by the standard {@code OTEL_*}
 * variables exports its spans over OTLP/HTTP protobuf to a receiver started by the test, and
 * the trace it continues is the one named by the {@code traceparent} header of the NATS
 * message. Also: an unreachable collector never holds up a step.
 */
class OtlpExportIT {
    private NatsServer nats;
    private NatsProbe router;

    @BeforeEach
    void startBroker() throws Exception {
        nats = NatsServer.start();
        router = new NatsProbe(nats.url());
    }

    @AfterEach
    void stopBroker() throws Exception {
        router.close();
        nats.close();
    }

    @Test
    void spansOfAStepReachTheCollectorInTheRoutersTrace() throws Exception {
        String traceId = TracingTest.randomHex(16);
        String routerSpanId = TracingTest.randomHex(8);
        try (OtlpCollector collector = OtlpCollector.start();
             WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), otlpTo(collector.endpoint()),
                     "--worker-id", "otlp-it-worker")) {
            ObjectNode assignment = Assignments.httpGet("https://example.test/traced").put("tenant_id", "tenant-otlp");
            String id = assignment.get("assignment_id").asText();

            publishWithTraceparent(assignment, TracingTest.traceparent(traceId, routerSpanId, "01"));

            await().atMost(Duration.ofSeconds(20)).until(() -> router.resultsFor(id).size() == 1);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                String exported = new String(collector.allBytes(), StandardCharsets.ISO_8859_1);
                assertThat(exported).contains(StepTracer.RECEIVE, StepTracer.EXECUTE, StepTracer.PUBLISH);
            });
            String exported = new String(collector.allBytes(), StandardCharsets.ISO_8859_1);
            assertThat(exported).as("the trace id, as 16 raw bytes").contains(raw(traceId));
            assertThat(exported).as("the Router's span id, parent of the receive span").contains(raw(routerSpanId));
            assertThat(exported).contains("beamline-worker", "otlp-it-worker", "tenant-otlp", "http.request");
            assertThat(collector.exports()).allSatisfy(export ->
                    assertThat(export.contentType()).isEqualTo("application/x-protobuf"));
            assertThat(worker.stderr()).contains("exporting spans over OTLP").doesNotContain("ERROR", "SEVERE");
        }
    }

    @Test
    void anUnreachableCollectorNeverHoldsUpSteps() throws Exception {
        String nobodyListens = "http://127.0.0.1:" + NatsServer.freePort();
        try (WorkerProcess worker = WorkerProcess.serveSandbox(nats.url(), otlpTo(nobodyListens))) {
            for (int i = 0; i < 20; i++) {
                publishWithTraceparent(Assignments.fsGet("/f-" + i), TracingTest.traceparent(TracingTest.randomHex(16),
                        TracingTest.randomHex(8), "01"));
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> router.results.size() == 20);
            assertThat(router.results).allMatch(result -> result.path("status").asText().equals("success"));
            assertThat(worker.get("/_health").status()).isEqualTo(200);
            assertThat(worker.process().isAlive()).isTrue();
        }
    }

    private void publishWithTraceparent(ObjectNode assignment, String traceparent) throws Exception {
        Headers headers = new Headers().add("traceparent", traceparent);
        router.connection().publish(Subjects.ASSIGN, headers, Assignments.bytes(assignment));
        router.flush();
    }

    private static Map<String, String> otlpTo(String endpoint) {
        return Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf",
                "OTEL_BSP_SCHEDULE_DELAY", "200");
    }

    /** Hex as the raw bytes protobuf carries, in the same one-byte-per-char view as the bodies. */
    private static String raw(String hex) {
        return new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
    }
}
