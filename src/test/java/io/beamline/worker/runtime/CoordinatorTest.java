package io.beamline.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.Blocks;
import io.beamline.worker.Worker;
import io.beamline.worker.WorkerServices;
import io.opentelemetry.api.OpenTelemetry;
import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.sandbox.SandboxBlocks;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.RejectReason;
import io.beamline.worker.contract.StepStatus;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.observability.HealthChecks;
import io.beamline.worker.support.RecordingSink;
import io.beamline.worker.support.TestConfigs;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CoordinatorTest {
    private final RecordingSink sink = new RecordingSink();
    private final Worker worker = worker(SandboxBlocks.registry(Clock.systemUTC()));
    private final Coordinator coordinator = worker.coordinator();
    private final AssignmentRegistry registry = worker.registry();

    private Worker worker(BlockRegistry blocks) {
        return Worker.create(TestConfigs.sandbox("--io-pool-size", "4"), Blocks.of(blocks),
                new WorkerServices(sink, notice -> { }, new HealthChecks(), Clock.systemUTC(), OpenTelemetry.noop(), 64 * 1024, "http://localhost:9"));
    }

    @AfterEach
    void closeWorker() {
        worker.close();
    }

    @Test
    void everyAcceptedAssignmentGetsItsAckBeforeItsOneResult() throws InterruptedException {
        for (int i = 0; i < 1000; i++) {
            coordinator.onMessage(Assignments.bytes(Assignments.fsGet("/f" + i)));
        }

        assertThat(registry.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(sink.acks).hasSize(1000).allMatch(a -> a.status() == ExecAssignmentAck.Status.ACCEPTED);
        assertThat(sink.results).hasSize(1000).allMatch(r -> r.status() == StepStatus.SUCCESS);
        for (ExecResult result : sink.results) {
            int ack = sink.all.indexOf(sink.ackFor(result.assignmentId()).orElseThrow());
            assertThat(ack).isLessThan(sink.all.indexOf(result));
        }
    }

    @Test
    void aFinishedStepIsRememberedWithoutItsResultAndARedeliveryOfItOnlySettles() throws InterruptedException {
        var assignment = finishedFromTheStream(Assignments.fsGet("/remembered"), 7);
        String id = assignment.get("assignment_id").asText();
        assertThat(sink.resultFor(id).orElseThrow().result()).as("the published result has the output").isNotNull();
        assertThat(registry.finished(id).orElseThrow().status()).as("what is remembered").isEqualTo(StepStatus.SUCCESS);
        assertThat(registry.unstoredResult(id)).as("the full result is let go once stored").isEmpty();

        // the durable transport delivers the same stream message again (its place in the
        // stream, not its delivery count, says so: a consumer can lose count): settle, nothing else
        java.util.List<Object> settled = new java.util.concurrent.CopyOnWriteArrayList<>();
        coordinator.onMessage(Assignments.bytes(assignment), "", durable(7, settled));

        await().atMost(Duration.ofSeconds(5)).until(() -> !settled.isEmpty());
        assertThat(settled).containsExactly(java.util.Optional.empty());
        assertThat(sink.results).as("no second result, no duplicate rejection").hasSize(1);
        assertThat(sink.acks).hasSize(1);
    }

    @Test
    void theSameAssignmentSentAgainThroughADurableTransportIsADuplicateNotARedelivery() throws InterruptedException {
        var assignment = finishedFromTheStream(Assignments.fsGet("/sent-twice"), 7);
        String id = assignment.get("assignment_id").asText();

        // the Router published it a second time: another message of the stream
        java.util.List<Object> settled = new java.util.concurrent.CopyOnWriteArrayList<>();
        coordinator.onMessage(Assignments.bytes(assignment), "", durable(8, settled));

        await().atMost(Duration.ofSeconds(5)).until(() -> !settled.isEmpty());
        assertThat(sink.acks).hasSize(2);
        assertThat(sink.acks.get(1).assignmentId()).isEqualTo(id);
        assertThat(sink.acks.get(1).reason()).isEqualTo(io.beamline.worker.contract.RejectReason.DUPLICATE);
        assertThat(sink.results).as("still one result").hasSize(1);
    }

    /** What a test's fs.get block does. */
    private interface Answer {
        io.beamline.worker.contract.StepResult get() throws InterruptedException;
    }

    /** Blocks where fs.get gives {@code answer}. */
    private static BlockRegistry fsGetAnswering(Answer answer) {
        return BlockRegistry.builder().register(io.beamline.worker.contract.Job.FS_GET,
                new io.beamline.worker.block.Block<io.beamline.worker.contract.FsGetJob>() {
                    @Override
                    public Class<io.beamline.worker.contract.FsGetJob> jobType() {
                        return io.beamline.worker.contract.FsGetJob.class;
                    }

                    @Override
                    public io.beamline.worker.contract.StepResult execute(io.beamline.worker.contract.FsGetJob job,
                                                                         io.beamline.worker.block.StepContext context)
                            throws InterruptedException {
                        return answer.get();
                    }
                }).build();
    }

    /** Runs {@code assignment}, delivered as the stream message at {@code sequence}, to its end. */
    private com.fasterxml.jackson.databind.node.ObjectNode finishedFromTheStream(
            com.fasterxml.jackson.databind.node.ObjectNode assignment, long sequence) throws InterruptedException {
        coordinator.onMessage(Assignments.bytes(assignment), "", durable(sequence, new java.util.concurrent.CopyOnWriteArrayList<>()));
        assertThat(registry.awaitIdle(Duration.ofSeconds(10))).isTrue();
        return assignment;
    }

    /** A JetStream-like delivery: it can be handed back, and has its place in the stream. */
    private static Delivery durable(long sequence, java.util.List<Object> settled) {
        return new Delivery() {
            @Override
            public boolean handsBack() {
                return true;
            }

            @Override
            public long sequence() {
                return sequence;
            }

            @Override
            public void settle(java.util.Optional<ExecResult> result) {
                settled.add(result);
            }
        };
    }

    @Test
    void theDeadLetterOfAFailedStepCarriesTheMessageAsItArrived() throws Exception {
        Worker refusing = worker(fsGetAnswering(() -> io.beamline.worker.contract.StepResult.failed(
                io.beamline.worker.contract.ErrorCode.PERMISSION_DENIED, "not yours", 0)));
        var assignment = Assignments.fsGet("/x");
        assignment.remove("trace_id");
        assignment.put("x_top", "keep");
        ((com.fasterxml.jackson.databind.node.ObjectNode) assignment.get("job")).put("x_custom", "keep");

        refusing.coordinator().onMessage(Assignments.bytes(assignment));

        assertThat(refusing.registry().awaitIdle(Duration.ofSeconds(10))).isTrue();
        await().until(() -> sink.deadLetters.size() == 1);
        var payload = (com.fasterxml.jackson.databind.JsonNode) sink.deadLetters.getFirst().payload();
        assertThat(payload).isEqualTo(assignment);  // unknown fields kept, nothing added (no generated trace_id)
        refusing.close();
    }

    @Test
    void aRejectedAssignmentWithoutATraceIdGetsAGeneratedOneOnItsAckAndDeadLetter() {
        var assignment = Assignments.fsGet("/x");
        assignment.remove("trace_id");
        ((com.fasterxml.jackson.databind.node.ObjectNode) assignment.get("job")).put("type", "no.such.block");

        coordinator.onMessage(Assignments.bytes(assignment));

        await().until(() -> sink.acks.size() == 1 && sink.deadLetters.size() == 1);
        assertThat(sink.acks.getFirst().status()).isEqualTo(ExecAssignmentAck.Status.REJECTED);
        assertThat(sink.acks.getFirst().traceId()).matches("[0-9a-f]{32}");
        assertThat(sink.deadLetters.getFirst().traceId()).isEqualTo(sink.acks.getFirst().traceId());
    }

    @Test
    void aTenantsBytesInFlightQuotaCountsPayloadBytes() throws InterruptedException {
        RecordingSink quotaSink = new RecordingSink();
        try (Worker limited = Worker.create(TestConfigs.sandbox("--tenant-max-bytes-in-flight", "1000"),
                Blocks.of(SandboxBlocks.registry(Clock.systemUTC())), new WorkerServices(quotaSink, notice -> { },
                        new HealthChecks(), Clock.systemUTC(), OpenTelemetry.noop(), 64 * 1024, "http://localhost:9"))) {
            byte[] small = Assignments.bytes(Assignments.fsGet("/small"));
            assertThat(small.length).isLessThan(1000);
            var big = Assignments.fsGet("/big");
            big.put("padding", "x".repeat(1000));

            limited.coordinator().onMessage(small);
            limited.coordinator().onMessage(Assignments.bytes(big));

            assertThat(limited.registry().awaitIdle(Duration.ofSeconds(10))).isTrue();
            assertThat(quotaSink.acks).extracting(ExecAssignmentAck::status)
                    .containsExactly(ExecAssignmentAck.Status.ACCEPTED, ExecAssignmentAck.Status.REJECTED);
            assertThat(quotaSink.acks.get(1).message()).contains("payload bytes", "quota of 1000");
        }
    }

    @Test
    void assignmentsWithoutATraceIdGetAGeneratedOne() {
        var assignment = Assignments.fsGet("/x");
        assignment.remove("trace_id");

        coordinator.onMessage(Assignments.bytes(assignment));

        await().until(() -> sink.results.size() == 1);
        assertThat(sink.acks.getFirst().traceId()).matches("[0-9a-f]{32}");
        assertThat(sink.results.getFirst().traceId()).isEqualTo(sink.acks.getFirst().traceId());
    }

    @Test
    void anAssignmentWithoutATraceIdTakesTheTraceOfItsTraceparentHeaderAlsoWithTracingOff() {
        var assignment = Assignments.fsGet("/x");
        assignment.remove("trace_id");
        var malformed = Assignments.fsGet("/y");
        malformed.remove("trace_id");

        coordinator.onMessage(Assignments.bytes(assignment), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        coordinator.onMessage(Assignments.bytes(malformed), "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01");

        await().until(() -> sink.results.size() == 2);
        assertThat(sink.ackFor(assignment.get("assignment_id").asText()).orElseThrow().traceId())
                .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(sink.resultFor(assignment.get("assignment_id").asText()).orElseThrow().traceId())
                .isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(sink.ackFor(malformed.get("assignment_id").asText()).orElseThrow().traceId())
                .as("not a W3C trace id: a new one").matches("[0-9a-f]{32}").isNotEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    }

    @Test
    void aBlockThatThrowsEndsItsStepWithOneInternalErrorThatCountsTheTimeItTook() throws InterruptedException {
        Worker throwing = worker(fsGetAnswering(() -> {
            Thread.sleep(30);
            throw new IllegalStateException("a bug in the block");
        }));

        throwing.coordinator().onMessage(Assignments.bytes(Assignments.fsGet("/x")));

        assertThat(throwing.registry().awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(sink.results).hasSize(1);
        ExecResult result = sink.results.getFirst();
        assertThat(result.status()).isEqualTo(StepStatus.ERROR);
        assertThat(result.error().code()).isEqualTo(io.beamline.worker.contract.ErrorCode.INTERNAL_ERROR);
        assertThat(result.error().message()).contains("internal error in fs.get", "a bug in the block");
        // the step's latency covers every attempt (retried: 4001 is retriable), each of them 30 ms or more
        assertThat(result.latencyMs()).isGreaterThanOrEqualTo(30L * (result.retriesUsed() + 1));
        throwing.close();
    }

    @Test
    void aBlockTypeWithoutABlockIsRejectedAsUnsupported() {
        Worker bare = worker(BlockRegistry.builder().build());

        bare.coordinator().onMessage(Assignments.bytes(Assignments.fsGet("/x")));

        assertThat(sink.acks.getFirst().reason()).isEqualTo(RejectReason.UNSUPPORTED_BLOCK);
        assertThat(sink.results).isEmpty();
    }

    @Test
    void invalidAssignmentsAreRejectedAndDeadLettered() {
        var assignment = Assignments.fsGet("/x");
        assignment.put("version", "0");

        coordinator.onMessage(Assignments.bytes(assignment));

        assertThat(sink.acks.getFirst().status()).isEqualTo(ExecAssignmentAck.Status.REJECTED);
        assertThat(sink.deadLetters.getFirst().assignmentId()).isEqualTo(assignment.get("assignment_id").asText());
        assertThat(sink.deadLetters.getFirst().payload()).isNotNull();
    }

    @Test
    void aDrainingCoordinatorRejectsWithShuttingDown() {
        coordinator.startDraining();

        coordinator.onMessage(Assignments.bytes(Assignments.fsGet("/x")));

        assertThat(sink.acks.getFirst().reason()).isEqualTo(RejectReason.SHUTTING_DOWN);
        assertThat(sink.acks.getFirst().errorCode().code()).isEqualTo(4002);
    }

    @Test
    void oversizedUnreadablePayloadsAreTruncatedInTheirDeadLetter() {
        byte[] garbage = "x".repeat(200_000).getBytes();

        coordinator.onMessage(garbage);

        var letter = sink.deadLetters.getFirst();
        assertThat(letter.payloadTruncated()).isTrue();
        assertThat(letter.payloadSizeBytes()).isEqualTo(200_000);
        assertThat((String) letter.payload()).hasSize(64 * 1024);
    }

    @Test
    void nonUtf8PayloadsTravelAsBase64() {
        coordinator.onMessage(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x41});

        var letter = sink.deadLetters.getFirst();
        assertThat(letter.payload()).isNull();
        assertThat(java.util.Base64.getDecoder().decode(letter.payloadBase64())).containsExactly(0xff, 0xfe, 0x00, 0x41);
    }
}
