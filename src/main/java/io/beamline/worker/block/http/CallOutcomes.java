package io.beamline.worker.block.http;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.HttpOutput;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.Redaction;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Turns what happened to one {@code http.request} call into its {@link StepResult}: the codes
 * of SPEC §2 and the retry classification of SPEC §5. Every error carries {@code url} and
 * {@code block_type} in its details. One instance per call, used by one thread.
 */
final class CallOutcomes {
    private final String url;
    private final Clock clock;
    private final long startedNanos = System.nanoTime();

    CallOutcomes(String url, Clock clock) {
        this.url = Redaction.withoutUserInfo(url);  // it may hold a password
        this.clock = clock;
    }

    /** A response arrived; {@code bodyPath} is the job's {@code response_to_path}, if any. */
    StepResult response(HttpResponse<ResponseBody> response, Optional<String> bodyPath) {
        int status = response.statusCode();
        if (status >= 400) {
            return httpError(response);
        }
        Map<String, String> headers = flatten(response.headers());
        HttpOutput output = switch (response.body()) {
            case ResponseBody.Inline inline -> inline.utf8Text()
                    .map(text -> HttpOutput.inline(status, text, headers, latencyMs()))
                    .orElseGet(() -> HttpOutput.inlineBase64(status, java.util.Base64.getEncoder().encodeToString(inline.bytes()),
                            headers, latencyMs()));
            case ResponseBody.Snippet snippet -> snippet.utf8Text()
                    .map(text -> HttpOutput.inline(status, text, headers, latencyMs()))
                    .orElseGet(() -> HttpOutput.inlineBase64(status, snippet.base64(), headers, latencyMs()));
            case ResponseBody.Stored stored -> new HttpOutput(status, null, headers, latencyMs(),
                    bodyPath.orElseThrow(), stored.sizeBytes(), stored.sha256(), null);
        };
        return new StepResult.Succeeded(output, latencyMs());
    }

    /** The transfer failed: classified by the most specific cause. */
    StepResult failure(IOException error) {
        Optional<ResponseTooLargeException> tooLarge = cause(error, ResponseTooLargeException.class);
        if (tooLarge.isPresent()) {
            Map<String, Object> details = details();
            details.put("limit", tooLarge.get().limit());
            return failed(ErrorCode.EXECUTION_FAILED, tooLarge.get().getMessage() + "; " + tooLarge.get().advice(), details);
        }
        if (cause(error, LocalWriteException.class).isPresent()) {
            return failed(ErrorCode.EXECUTION_FAILED, error.getMessage(), details());
        }
        if (cause(error, HttpConnectTimeoutException.class).isPresent()) {
            return failed(ErrorCode.CONNECTION_TIMEOUT, "connecting to " + url + " timed out", details());
        }
        if (cause(error, HttpTimeoutException.class).isPresent()) {
            return timedOut("the HTTP client timed out: " + error.getMessage());
        }
        if (cause(error, UnknownHostException.class).isPresent()) {
            return failed(ErrorCode.NETWORK_ERROR, "cannot resolve the host of " + url, details());
        }
        String what = cause(error, ConnectException.class).isPresent() ? "cannot connect to " : "network error talking to ";
        return failed(ErrorCode.NETWORK_ERROR, what + url + ": " + error, details());
    }

    StepResult timedOut(Duration budget) {
        return timedOut("HTTP request to " + url + " did not complete within " + budget.toMillis() + " ms");
    }

    StepResult refused(String reason) {
        return failed(ErrorCode.PERMISSION_DENIED, "destination refused: " + reason, details());
    }

    StepResult failed(ErrorCode code, String message) {
        return failed(code, message, details());
    }

    private StepResult httpError(HttpResponse<ResponseBody> response) {
        int status = response.statusCode();
        Map<String, Object> details = details();
        details.put("status_code", status);
        if (response.body() instanceof ResponseBody.Snippet snippet) {
            Optional<String> text = snippet.utf8Text();
            details.put("body", text.orElseGet(snippet::base64));
            if (text.isEmpty()) {
                details.put("body_encoding", "base64");  // as a result's body: bytes that are not UTF-8
            }
        }
        response.headers().firstValue("retry-after").ifPresent(value ->
                RetryAfter.millis(value, clock.instant()).ifPresent(millis -> details.put("retry_after_ms", millis)));
        // 5xx and 429 only (SPEC §5): a status past 599 belongs to no class and is not a passing fault
        boolean retryable = (status >= 500 && status <= 599) || status == 429;
        ExecError error = new ExecError(ErrorCode.HTTP_ERROR, "HTTP " + status + " from " + url, retryable, frozen(details));
        return new StepResult.Failed(error, latencyMs());
    }

    private StepResult timedOut(String message) {
        return new StepResult.TimedOut(ExecError.of(ErrorCode.CANCELLED_BY_TIMEOUT, message, frozen(details())), latencyMs());
    }

    private StepResult failed(ErrorCode code, String message, Map<String, Object> details) {
        return new StepResult.Failed(ExecError.of(code, message, frozen(details)), latencyMs());
    }

    private Map<String, Object> details() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("url", url);
        details.put("block_type", Job.HTTP_REQUEST);
        return details;
    }

    private long latencyMs() {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private static <T extends Throwable> Optional<T> cause(Throwable error, Class<T> type) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return Optional.of(type.cast(t));
            }
        }
        return Optional.empty();
    }

    private static Map<String, Object> frozen(Map<String, Object> details) {
        return Collections.unmodifiableMap(details);
    }

    /** Response headers as the contract wants them: one string per name, repeats joined. */
    /**
     * The response's headers, repeated ones joined with commas, under their canonical names
     * ({@code Content-Type}): the JDK's client hands every name over in lower case (HTTP/2 sends
     * them so), while the contract's examples and the sandbox's stand-in use the canonical form,
     * so a Router reading {@code headers["Content-Type"]} finds it either way.
     */
    private static Map<String, String> flatten(HttpHeaders headers) {
        Map<String, String> flat = new LinkedHashMap<>();
        headers.map().forEach((name, values) -> flat.merge(canonicalName(name), String.join(", ", values),
                (first, more) -> first + ", " + more));
        return flat;
    }

    /** Each dash-separated word capitalised, the rest in lower case: {@code x-request-id} → {@code X-Request-Id}. */
    private static String canonicalName(String name) {
        char[] chars = name.toCharArray();
        boolean wordStart = true;
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (c < 0x80) {
                chars[i] = wordStart ? Character.toUpperCase(c) : Character.toLowerCase(c);
            }
            wordStart = c == '-';
        }
        return new String(chars);
    }
}
