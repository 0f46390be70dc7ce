package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.beamline.worker.config.ConfigException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fault target over real HTTP on 127.0.0.1. */
class FaultTargetTest {
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpServer server;
    private String base;

    @BeforeEach
    void start() throws Exception {
        FaultTargetCommand command = new FaultTargetCommand();
        new CommandLine(command).parseArgs("--port", "0");
        server = command.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void healthyByDefault() throws Exception {
        HttpResponse<String> response = get("/bench");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("fault-target");
    }

    @Test
    void aFailurePercentageFailsThatShareOfRequestsEvenlyWithTheGivenStatus() throws Exception {
        assertThat(get("/_fault?fail_percent=25&status=502").statusCode()).isEqualTo(200);

        List<Integer> statuses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            statuses.add(get("/bench").statusCode());
        }

        assertThat(statuses).containsExactly(200, 200, 200, 502, 200, 200, 200, 502);
    }

    @Test
    void injectedLatencyDelaysTheAnswerAndAResetEndsIt() throws Exception {
        get("/_fault?latency_ms=300");
        long started = System.nanoTime();
        get("/bench");
        long delayed = System.nanoTime() - started;
        get("/_fault");

        assertThat(Duration.ofNanos(delayed)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(get("/_fault").body()).contains("latency_ms=0 fail_percent=0");
    }

    @Test
    void aBadModeIsRefusedAndTheOldOneKept() throws Exception {
        get("/_fault?fail_percent=100");

        assertThat(get("/_fault?fail_percent=150").statusCode()).isEqualTo(400);
        assertThat(get("/bench").statusCode()).isEqualTo(503);
    }

    @Test
    void modesAreValidated() {
        assertThatThrownBy(() -> FaultMode.parse("latency_ms=-1")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> FaultMode.parse("status=200")).isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> FaultMode.parse("fail_percent=x")).isInstanceOf(ConfigException.class);
        assertThat(FaultMode.parse("")).isEqualTo(FaultMode.HEALTHY);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
