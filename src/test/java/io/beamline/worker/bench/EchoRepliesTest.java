package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.block.sandbox.SandboxBlocks;
import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecAssignmentAck;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.StepResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** The echo's answers: the minimal ones, and the contract-sized ones that must be the worker's own bytes. */
class EchoRepliesTest {
    private final AssignmentFactory factory = new AssignmentFactory("lg-5f3a9c1e-", JobMix.parse("fs.get"), 4, 0);

    @Test
    void contractSizedRepliesAreTheSandboxWorkersBytesForTheLoadGeneratorsFsGet() throws Exception {
        for (long seq : new long[] {0, 4, 123_456, 9_999_999_996L}) {  // tenant bench-0: the replies name it
            byte[] message = factory.assignment(seq);
            ExecAssignment assignment = ((Decoded.Valid) new AssignmentDecoder().decode(message)).assignment()
                    .withTraceId(EchoService.FIXED_TRACE_ID);
            assertThat(assignment.tenantId()).isEqualTo("bench-0");
            ExecResult result = ExecResult.of(assignment, sandboxRun(assignment), 0, 0, EchoService.FIXED_TIME_MS);
            long id = JsonScan.stringRange(message, JsonScan.ASSIGNMENT_ID);
            int start = (int) (id >>> 32);
            int length = (int) id - start;

            assertThat(text(EchoService.Replies.CONTRACT_SIZED.ack(message, start, length)))
                    .isEqualTo(text(Json.write(ExecAssignmentAck.accepted(assignment, EchoService.FIXED_TIME_MS))));
            assertThat(text(EchoService.Replies.CONTRACT_SIZED.result(message, start, length)))
                    .isEqualTo(text(Json.write(result)));
        }
    }

    @Test
    void minimalRepliesCarryTheIdAndAStatusOnly() throws Exception {
        byte[] message = factory.assignment(42);
        long id = JsonScan.stringRange(message, JsonScan.ASSIGNMENT_ID);
        int start = (int) (id >>> 32);

        byte[] ack = EchoService.Replies.MINIMAL.ack(message, start, (int) id - start);
        byte[] result = EchoService.Replies.MINIMAL.result(message, start, (int) id - start);

        assertThat(Json.readTree(ack).get("assignment_id").asText()).isEqualTo("lg-5f3a9c1e-42");
        assertThat(Json.readTree(ack).get("status").asText()).isEqualTo("accepted");
        assertThat(Json.readTree(result).get("status").asText()).isEqualTo("success");
        assertThat(ack.length + result.length).isLessThan(200);
    }

    private static StepResult sandboxRun(ExecAssignment assignment) throws Exception {
        Block<?> block = SandboxBlocks.registry(Clock.systemUTC()).find(assignment.job()).orElseThrow();
        return block.executeUnchecked(assignment.job(), new StepContext(assignment, 1, "test-worker"));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
