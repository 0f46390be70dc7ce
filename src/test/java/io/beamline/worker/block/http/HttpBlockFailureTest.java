package io.beamline.worker.block.http;

import io.beamline.worker.support.Reply;
import io.beamline.worker.support.FullBacklogListener;
import static io.beamline.worker.block.http.HttpBlockExchangeTest.failure;
import static io.beamline.worker.block.http.HttpJobs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.StepResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Timeouts and network faults: each ends as the right value within a generous bound of its
 * timeout. Only loopback is contacted; slow connects come from a full accept queue.
 */
class HttpBlockFailureTest extends LocalServerTest {
    private static final Duration GENEROUS = Duration.ofSeconds(5);

    @Test
    void responseSlowerThanTheTimeoutEndsAsTimeout() throws Exception {
        server.on("/slow", Reply.ok("late").delayHeaders(Duration.ofSeconds(20)));

        long started = System.nanoTime();
        StepResult result = request(server.url("/slow")).timeoutMs(500).runOn(block);

        assertTimedOutWithin(result, started);
    }

    @Test
    void bodySlowerThanTheTimeoutEndsAsTimeout() throws Exception {
        // headers come at once; the total budget must still cover the body
        server.on("/trickle", Reply.ok("x".repeat(100)).trickle(1, Duration.ofMillis(200)));

        long started = System.nanoTime();
        StepResult result = request(server.url("/trickle")).timeoutMs(500).runOn(block);

        assertTimedOutWithin(result, started);
    }

    @Test
    void serverThatNeverAnswersEndsAsTimeout() throws Exception {
        server.on("/void", Reply.blackhole());

        long started = System.nanoTime();
        StepResult result = request(server.url("/void")).timeoutMs(500).runOn(block);

        assertTimedOutWithin(result, started);
    }

    @Test
    void configuredDefaultTimeoutAppliesWhenTheJobHasNone() throws Exception {
        server.on("/void", Reply.blackhole());
        HttpConfig config = HttpConfig.defaults(false).withTimeouts(HttpConfig.DEFAULT_CONNECT_TIMEOUT, Duration.ofMillis(500));
        try (HttpBlock shortDefault = new HttpBlock(config, new TenantPaths(dataDir))) {

            long started = System.nanoTime();
            StepResult result = request(server.url("/void")).runOn(shortDefault);

            assertTimedOutWithin(result, started);
        }
    }

    @Test
    void connectionResetIsARetryableNetworkError() throws Exception {
        server.on("/reset", Reply.reset());

        ExecError error = failure(request(server.url("/reset")).runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.NETWORK_ERROR);
        assertThat(error.isRetryable()).isTrue();
        assertThat(error.details()).containsEntry("url", server.url("/reset")).containsEntry("block_type", "http.request");
    }

    @Test
    void portWithNothingListeningIsARetryableNetworkError() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }

        ExecError error = failure(request("http://127.0.0.1:" + port + "/").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.NETWORK_ERROR);
        assertThat(error.isRetryable()).isTrue();
    }

    @Test
    void slowConnectIsAConnectionTimeoutWhenConnectTimeoutIsSeparate() throws Exception {
        HttpConfig config = HttpConfig.defaults(true).withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(30));
        try (FullBacklogListener full = FullBacklogListener.open();
             HttpBlock separate = new HttpBlock(config, new TenantPaths(dataDir))) {

            long started = System.nanoTime();
            StepResult result = request(full.url("/")).timeoutMs(10_000).runOn(separate);

            ExecError error = failure(result);
            assertThat(error.code()).isEqualTo(ErrorCode.CONNECTION_TIMEOUT);
            assertThat(error.isRetryable()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(GENEROUS);
        }
    }

    @Test
    void slowConnectIsBoundOnlyByTheTotalTimeoutInTheBaseline() throws Exception {
        try (FullBacklogListener full = FullBacklogListener.open()) {

            long started = System.nanoTime();
            StepResult result = request(full.url("/")).timeoutMs(500).runOn(block);

            assertTimedOutWithin(result, started);
        }
    }

    private static void assertTimedOutWithin(StepResult result, long startedNanos) {
        assertThat(Duration.ofNanos(System.nanoTime() - startedNanos)).isLessThan(GENEROUS);
        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        ExecError error = result.error().orElseThrow();
        assertThat(error.code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
        assertThat(error.details()).containsEntry("block_type", "http.request");
    }
}
