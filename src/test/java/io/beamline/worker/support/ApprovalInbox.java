package io.beamline.worker.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;

/**
 * A notifier stand-in: its own NATS connection subscribed to
 * {@code caf.human.approval.requested.v1}, recording every notification (parsed JSON) with the
 * time it arrived. Thread-safe.
 */
public final class ApprovalInbox implements AutoCloseable {
    /** One notification and when it arrived ({@link System#nanoTime}). */
    public record Received(JsonNode body, long arrivedNanos) {
    }

    private final Connection connection;
    private final List<Received> received = new CopyOnWriteArrayList<>();

    public ApprovalInbox(String natsUrl) throws IOException, InterruptedException, TimeoutException {
        connection = Nats.connect(new Options.Builder().server(natsUrl).maxReconnects(-1).build());
        connection.createDispatcher(message -> received.add(new Received(parse(message.getData()), System.nanoTime())))
                .subscribe(Subjects.APPROVAL_REQUESTED);
        connection.flush(Duration.ofSeconds(5));
    }

    public List<Received> all() {
        return List.copyOf(received);
    }

    /** The notifications about {@code assignmentId}, in arrival order. */
    public List<JsonNode> about(String assignmentId) {
        return received.stream().map(Received::body)
                .filter(body -> assignmentId.equals(body.path("assignment_id").asText())).toList();
    }

    @Override
    public void close() throws InterruptedException {
        connection.close();
    }

    private static JsonNode parse(byte[] data) {
        try {
            return Json.mapper().readTree(data);
        } catch (IOException e) {
            return Json.mapper().getNodeFactory().textNode(new String(data, java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
