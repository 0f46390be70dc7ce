package io.beamline.worker.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.StepResult;
import io.beamline.worker.runtime.OutcomeTooLargeException;
import io.beamline.worker.support.Assignments;
import io.beamline.worker.support.NatsServer;
import io.nats.client.Connection;
import io.nats.client.Nats;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The JetStream sink at the edge of the server's message limit: the limit counts the message's
 * headers (its {@code Nats-Msg-Id}), so a result within those bytes of it is too large. An audit
 * found such results refused by the client at every attempt: never stored, never answered, and
 * their steps run again on each redelivery.
 */
class JetStreamOutcomeSinkIT {

    private static ExecResult resultOfSize(ExecAssignment assignment, int jsonBytes) {
        int padding = jsonBytes;
        for (int i = 0; i < 3; i++) {
            int size = Json.write(result(assignment, padding)).length;
            padding += jsonBytes - size;
        }
        ExecResult result = result(assignment, padding);
        assertThat(Json.write(result)).hasSize(jsonBytes);
        return result;
    }

    private static ExecResult result(ExecAssignment assignment, int padding) {
        return ExecResult.of(assignment, new StepResult.Succeeded(Map.of("text", "x".repeat(Math.max(0, padding))), 1), 0, 1,
                System.currentTimeMillis());
    }

    @Test
    void aResultThatFitsTheLimitOnlyWithoutItsHeadersIsTooLargeAtOnce() throws Exception {
        try (NatsServer nats = NatsServer.start(true);
             Connection connection = Nats.connect(nats.url())) {
            JetStreamSetup.ensure(connection, JetStreamConfig.defaults());
            JetStreamOutcomeSink sink = new JetStreamOutcomeSink(connection, JetStreamConfig.defaults().completedBucket());
            int limit = (int) connection.getMaxPayload();
            ExecAssignment assignment = ((Decoded.Valid) new AssignmentDecoder().decode(Assignments.bytes(Assignments.fsGet("/edge")))).assignment();

            ExecResult justUnder = resultOfSize(assignment, limit - 10);
            assertThatThrownBy(() -> sink.result(justUnder, 1)).isInstanceOf(OutcomeTooLargeException.class);

            ExecResult fitting = resultOfSize(assignment, limit - 200);
            sink.result(fitting, 1).get(30, TimeUnit.SECONDS);
            assertThat(connection.jetStreamManagement().getStreamInfo(JetStreamConfig.defaults().outcomeStream())
                    .getStreamState().getMsgCount()).isEqualTo(1);
        }
    }
}
