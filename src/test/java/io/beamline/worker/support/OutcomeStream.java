package io.beamline.worker.support;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.IterableConsumer;
import io.nats.client.Message;
import io.nats.client.OrderedConsumerContext;
import io.nats.client.api.OrderedConsumerConfiguration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Reads what the JetStream transport stored in the outcome stream, for durability tests. */
public final class OutcomeStream {
    private OutcomeStream() {
    }

    /** Every result stored in {@code stream}, parsed, in stream order. */
    public static List<JsonNode> results(Connection connection, String stream) throws Exception {
        OrderedConsumerContext ordered = connection.getStreamContext(stream)
                .createOrderedConsumer(new OrderedConsumerConfiguration().filterSubject(Subjects.RESULT));
        long total = connection.jetStreamManagement().getStreamInfo(stream,
                io.nats.client.api.StreamInfoOptions.filterSubjects(Subjects.RESULT)).getStreamState().getSubjectMap()
                .getOrDefault(Subjects.RESULT, 0L);
        List<JsonNode> results = new ArrayList<>();
        try (IterableConsumer consumer = ordered.iterate()) {
            while (results.size() < total) {
                Message message = consumer.nextMessage(5000);
                if (message == null) {
                    break;
                }
                results.add(Json.readTree(message.getData()));
            }
        }
        return results;
    }

    /** How many stored results each assignment has. */
    public static Map<String, Integer> resultCounts(Connection connection, String stream) throws Exception {
        Map<String, Integer> counts = new HashMap<>();
        for (JsonNode result : results(connection, stream)) {
            counts.merge(result.get("assignment_id").asText(), 1, Integer::sum);
        }
        return counts;
    }
}
