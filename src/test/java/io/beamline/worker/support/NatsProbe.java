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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Router stand-in for tests: publishes assignments and records every ack, result and dead
 * letter the workers publish, parsed as JSON. Thread-safe.
 */
public final class NatsProbe implements AutoCloseable {
    private final Connection connection;
    public final List<JsonNode> acks = new CopyOnWriteArrayList<>();
    public final List<JsonNode> results = new CopyOnWriteArrayList<>();
    public final List<JsonNode> deadLetters = new CopyOnWriteArrayList<>();
    private final Map<String, List<JsonNode>> bySubject = new ConcurrentHashMap<>();

    public NatsProbe(String url) throws IOException, InterruptedException, java.util.concurrent.TimeoutException {
        this.connection = Nats.connect(new Options.Builder().server(url).maxReconnects(-1).build());
        var dispatcher = connection.createDispatcher(message -> {
            JsonNode body;
            try {
                body = Json.mapper().readTree(message.getData());
            } catch (IOException e) {
                body = Json.mapper().getNodeFactory().textNode(new String(message.getData()));
            }
            switch (message.getSubject()) {
                case Subjects.ACK -> acks.add(body);
                case Subjects.RESULT -> results.add(body);
                case Subjects.DEAD_LETTER -> deadLetters.add(body);
                default -> bySubject.computeIfAbsent(message.getSubject(), s -> new CopyOnWriteArrayList<>()).add(body);
            }
        });
        dispatcher.subscribe(Subjects.ACK).subscribe(Subjects.RESULT).subscribe(Subjects.DEAD_LETTER);
        connection.flush(Duration.ofSeconds(5));
    }

    public Connection connection() {
        return connection;
    }

    public void publish(byte[] payload) {
        connection.publish(Subjects.ASSIGN, payload);
    }

    public void flush() throws Exception {
        connection.flush(Duration.ofSeconds(10));
    }

    public List<JsonNode> acksFor(String assignmentId) {
        return acks.stream().filter(a -> assignmentId.equals(a.path("assignment_id").asText())).toList();
    }

    public List<JsonNode> resultsFor(String assignmentId) {
        return results.stream().filter(r -> assignmentId.equals(r.path("assignment_id").asText())).toList();
    }

    @Override
    public void close() throws InterruptedException {
        connection.close();
    }
}
