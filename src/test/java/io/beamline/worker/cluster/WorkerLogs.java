package io.beamline.worker.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.support.WorkerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The workers' own account of a disruption: what each logged on stderr (JSON lines; the
 * cluster tests run them at WARN), counted by message with assignment ids and stream
 * sequences replaced, so a test's output shows how the workers saw a node loss. Stateless.
 */
final class WorkerLogs {
    private static final Pattern ASSIGNMENT_ID = Pattern.compile("[a-z]+-\\d+-\\d+");
    private static final Pattern SEQUENCE = Pattern.compile("seq \\d+");

    private WorkerLogs() {
    }

    static String summary(List<WorkerProcess> workers) {
        StringBuilder summary = new StringBuilder();
        for (int w = 0; w < workers.size(); w++) {
            Map<String, Integer> counts = new TreeMap<>();
            try {
                for (String line : workers.get(w).stderr().split("\n")) {
                    if (!line.isBlank()) {
                        counts.merge(message(line), 1, Integer::sum);
                    }
                }
            } catch (IOException unreadable) {
                counts.put("stderr unreadable: " + unreadable, 1);
            }
            summary.append("  w").append(w).append(counts.isEmpty() ? ": nothing logged" : ":");
            counts.forEach((message, n) -> summary.append("\n    ").append(n).append(" x ").append(message));
            summary.append('\n');
        }
        return summary.toString();
    }

    private static String message(String line) {
        String message;
        try {
            JsonNode entry = Json.readTree(line.getBytes(StandardCharsets.UTF_8));
            String reason = entry.path("fields").path("reason").asText("");
            message = entry.path("message").asText("") + (reason.isEmpty() ? "" : " (" + reason + ")");
        } catch (IOException notJson) {
            message = "(not JSON) " + line;
        }
        message = SEQUENCE.matcher(ASSIGNMENT_ID.matcher(message).replaceAll("<id>")).replaceAll("seq <n>");
        return message.length() > 200 ? message.substring(0, 200) + "..." : message;
    }
}
