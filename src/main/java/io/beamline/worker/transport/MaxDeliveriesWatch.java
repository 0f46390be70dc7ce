package io.beamline.worker.transport;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.AssignmentDecoder;
import io.beamline.worker.contract.DeadLetter;
import io.beamline.worker.contract.Decoded;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.StepResult;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.MessageInfo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens to the server's max-deliveries advisories for the assignment consumer, so a message
 * the server stopped redelivering (every holder died on it) does not rot in the stream: it is
 * published as a dead letter with its payload, then removed. The subscription is a queue group,
 * so one worker handles each advisory.
 */
final class MaxDeliveriesWatch {
    private static final Logger log = LoggerFactory.getLogger("transport");

    private MaxDeliveriesWatch() {
    }

    /** Handles the advisories; {@code workerId} signs the dead letters this worker writes. */
    static void start(Connection connection, JetStreamConfig config, JetStreamOutcomeSink sink, String workerId) {
        String subject = "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + config.assignmentStream() + "." + config.consumer();
        connection.createDispatcher(message -> Thread.ofVirtual().start(() -> handle(connection, config, sink, workerId, message.getData())))
                .subscribe(subject, "caf-workers-advisories");
    }

    /** Handles one advisory, trying again with backoff while the outcome stream cannot store the letter. */
    private static void handle(Connection connection, JetStreamConfig config, JetStreamOutcomeSink sink, String workerId,
                               byte[] data) {
        long backoffMs = 500;
        for (int attempt = 1; attempt <= 20; attempt++) {
            try {
                JsonNode advisory = Json.readTree(data);
                long sequence = advisory.path("stream_seq").asLong();
                deadLetter(connection.jetStreamManagement(), config, sink, workerId, sequence, advisory.path("deliveries").asInt());
                return;
            } catch (io.nats.client.JetStreamApiException gone) {
                return;  // the message is no longer in the stream: nothing left to do
            } catch (Exception e) {
                log.warn("max-deliveries advisory not handled yet (attempt {}): {}", attempt, e.toString());
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoffMs = Math.min(30_000, backoffMs * 2);
            }
        }
        log.error("max-deliveries advisory dropped after 20 attempts; the message stays in {}", config.assignmentStream());
    }

    /** The assignment's completed-step record, if it has one. */
    private static Optional<CompletedRecord> completedRecord(JetStreamManagement jsm, JetStreamConfig config, String assignmentId)
            throws IOException {
        MessageInfo found;
        try {
            found = jsm.getLastMessage("KV_" + config.completedBucket(), CompletedRecord.subject(config.completedBucket(), assignmentId));
        } catch (io.nats.client.JetStreamApiException noRecord) {
            return Optional.empty();
        }
        if (found == null || found.getData() == null || found.getData().length == 0) {
            return Optional.empty();  // none, or a deleted key's marker
        }
        return Optional.of(CompletedRecord.read(found.getData()));
    }

    private static void deadLetter(JetStreamManagement jsm, JetStreamConfig config, JetStreamOutcomeSink sink, String workerId,
                                   long sequence, int deliveries) throws Exception {
        MessageInfo info = jsm.getMessage(config.assignmentStream(), sequence);
        byte[] data = info.getData() == null ? new byte[0] : info.getData();
        Object payload;
        String assignmentId = null;
        try {
            JsonNode parsed = Json.readTree(data);
            payload = parsed;
            assignmentId = parsed.path("assignment_id").isTextual() ? parsed.get("assignment_id").textValue() : null;
        } catch (Exception notJson) {
            payload = new String(data, StandardCharsets.UTF_8);
        }
        Optional<CompletedRecord> record = assignmentId == null ? Optional.empty() : completedRecord(jsm, config, assignmentId);
        if (record.isPresent()) {
            // it finished and only its ack got lost: no dead letter; a result still in its record
            // (its holder died before it was stored) is published first
            if (record.get().result() != null) {
                sink.publishRecorded(assignmentId, record.get()).get();
            }
            jsm.deleteMessage(config.assignmentStream(), sequence);
            return;
        }
        // not retryable, unlike other internal errors: the server will not deliver it again
        ExecError finalError = new ExecError(ErrorCode.INTERNAL_ERROR,
                "delivered " + deliveries + " times without an outcome; the server stopped redelivering it", false,
                Map.of("stream_seq", sequence));
        DeadLetter letter = new DeadLetter(assignmentId, null, null, "max_deliveries_exceeded",
                finalError, deliveries, workerId, System.currentTimeMillis(), payload, null, null, null);
        // an accepted assignment gets one final result (SPEC §2), here a failure that is not
        // retried, like any other: its holders acked it and died; the letter keeps the payload
        if (new AssignmentDecoder().decode(data) instanceof Decoded.Valid valid) {
            sink.result(ExecResult.of(valid.assignment(), new StepResult.Failed(finalError, 0), 0, 0,
                    System.currentTimeMillis()), sequence).get();
        }
        sink.deadLetter(letter).get();
        jsm.deleteMessage(config.assignmentStream(), sequence);
        log.warn("assignment {} (stream seq {}) dead-lettered after {} deliveries", assignmentId, sequence, deliveries);
    }
}
