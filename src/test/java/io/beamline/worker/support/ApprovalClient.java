package io.beamline.worker.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * An approver's side of the approval API over real HTTP ({@link HttpClient}): reads decision
 * links from notifications, posts decisions, reads approvals. Thread-safe.
 */
public final class ApprovalClient {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A status code and the body parsed as JSON (a text node when it is not JSON). */
    public record Answer(int status, JsonNode body) {
    }

    /**
     * One approver's decision link: the worker it points at ({@code scheme://host:port}), the
     * approval id, the approver and the token, read from the link's URL.
     */
    public record Link(String base, String id, String approver, String token) {
        public static Link of(JsonNode link) {
            URI url = URI.create(link.path("url").asText());
            Map<String, String> query = new HashMap<>();
            for (String pair : url.getRawQuery().split("&")) {
                int equals = pair.indexOf('=');
                query.put(pair.substring(0, equals), URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8));
            }
            return new Link(url.getScheme() + "://" + url.getAuthority(), query.get("id"), query.get("approver"),
                    query.get("token"));
        }

        /** The same link pointing at another worker's port, for a worker restarted elsewhere. */
        public Link onPort(int port) {
            return new Link("http://127.0.0.1:" + port, id, approver, token);
        }
    }

    /** {@code POST /approvals/{id}/decision} with {approver, token, approved, comment}. */
    public Answer decide(Link link, boolean approved, String comment) throws IOException, InterruptedException {
        return decide(link.base(), link.id(), link.approver(), link.token(), approved, comment);
    }

    public Answer decide(String base, String id, String approver, String token, boolean approved, String comment)
            throws IOException, InterruptedException {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("approver", approver);
        body.put("token", token);
        body.put("approved", approved);
        body.put("comment", comment);
        return post(base, id, Json.writeString(body));
    }

    /** Posts {@code rawBody} as it is, so tests can send malformed bodies. */
    public Answer post(String base, String id, String rawBody) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/approvals/" + encode(id) + "/decision"))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(rawBody)).build();
        return send(request);
    }

    /** {@code GET /approvals/{id}}. */
    public Answer get(String base, String id) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(base + "/approvals/" + encode(id))).timeout(Duration.ofSeconds(10))
                .GET().build());
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = Json.mapper().readTree(response.body());
        } catch (IOException notJson) {
            body = Json.mapper().getNodeFactory().textNode(response.body());
        }
        return new Answer(response.statusCode(), body);
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
