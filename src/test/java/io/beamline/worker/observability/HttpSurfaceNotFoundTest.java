package io.beamline.worker.observability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import io.beamline.worker.runtime.AssignmentStatus;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every path the worker's HTTP server does not serve answers the same JSON 404 (docs/blocks.md, refusals). */
class HttpSurfaceNotFoundTest {
    private HttpSurface surface;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws Exception {
        surface = new HttpSurface(new InetSocketAddress("127.0.0.1", 0));
        surface.mount("/_health", new HealthEndpoint(new HealthChecks(), Clock.systemUTC()));
        surface.mount("/assignments", new AssignmentStatusEndpoint(AssignmentStatus::unknown));
        surface.start();
    }

    @AfterEach
    void stop() {
        surface.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/_healthx", "/_health/x", "/assignments/", "/assignments/a/b", "/nothing"})
    void aPathNoHandlerServesIsAJson404WithReasonNotFound(String path) throws Exception {
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + surface.address().getPort() + path)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = Json.mapper().readTree(response.body());
        assertThat(body.path("reason").asText()).isEqualTo("not_found");
        assertThat(body.path("error").asText()).isNotBlank();
    }
}
