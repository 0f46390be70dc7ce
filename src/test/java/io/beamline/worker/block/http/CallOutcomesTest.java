package io.beamline.worker.block.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** Classification of transport failures, including those hard to provoke on loopback. */
class CallOutcomesTest {
    private final CallOutcomes outcomes = new CallOutcomes("http://svc.example/x", Clock.systemUTC());

    @Test
    void connectTimeoutIsARetryableConnectionTimeout() {
        StepResult result = outcomes.failure(new HttpConnectTimeoutException("HTTP connect timed out"));

        assertThat(result).isInstanceOf(StepResult.Failed.class);
        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CONNECTION_TIMEOUT);
        assertThat(result.error().orElseThrow().isRetryable()).isTrue();
        assertThat(result.error().orElseThrow().details()).containsEntry("url", "http://svc.example/x");
    }

    @Test
    void connectTimeoutWrappedByTheClientIsStillRecognised() {
        StepResult result = outcomes.failure(new IOException("wrapped", new HttpConnectTimeoutException("timed out")));

        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CONNECTION_TIMEOUT);
    }

    @Test
    void requestTimeoutOfTheClientIsATimeout() {
        StepResult result = outcomes.failure(new HttpTimeoutException("request timed out"));

        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
    }

    @Test
    void refusedConnectionIsARetryableNetworkError() {
        StepResult result = outcomes.failure(new ConnectException("Connection refused"));

        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.NETWORK_ERROR);
        assertThat(result.error().orElseThrow().isRetryable()).isTrue();
    }

    @Test
    void failureToStoreTheDownloadIsNotBlamedOnTheNetwork() {
        StepResult result = outcomes.failure(new LocalWriteException("disk full", new IOException("No space left on device")));

        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
    }
}
