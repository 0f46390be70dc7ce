package io.beamline.worker.block.http;

import io.beamline.worker.support.Reply;
import io.beamline.worker.support.RecordedRequest;
import static io.beamline.worker.block.http.HttpJobs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.HttpOutput;
import io.beamline.worker.contract.StepResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Requests and responses against a real local server: success, HTTP errors, headers, redirects. */
class HttpBlockExchangeTest extends LocalServerTest {
    @Test
    void getReturnsStatusBodyAndHeaders() throws Exception {
        server.on("/hello", Reply.ok("{\"output\":\"processed\"}").header("X-Trace", "abc"));

        StepResult result = request(server.url("/hello")).runOn(block);

        HttpOutput output = output(result);
        assertThat(output.statusCode()).isEqualTo(200);
        assertThat(output.body()).isEqualTo("{\"output\":\"processed\"}");
        assertThat(output.headers()).containsEntry("X-Trace", "abc");
        assertThat(output.latencyMs()).isNotNegative();
        assertThat(output.bodyPath()).isNull();
    }

    @Test
    void responseHeaderNamesComeInTheirCanonicalFormAsInTheContract() throws Exception {
        server.on("/case", Reply.ok("x").header("content-TYPE", "text/plain").header("x-request-id", "r-1")
                .header("WWW-Authenticate", "Basic"));

        HttpOutput output = output(request(server.url("/case")).runOn(block));

        assertThat(output.headers()).containsEntry("Content-Type", "text/plain").containsEntry("X-Request-Id", "r-1")
                .containsEntry("Www-Authenticate", "Basic").doesNotContainKey("content-type");
    }

    @Test
    void aBodyThatIsNotUtf8TextComesInBase64ByteForByte() throws Exception {
        byte[] every = new byte[256];
        for (int i = 0; i < every.length; i++) {
            every[i] = (byte) i;
        }
        server.on("/bytes", Reply.ok("").body(every));
        server.on("/text", Reply.ok("héllo ✓"));

        HttpOutput binary = output(request(server.url("/bytes")).runOn(block));
        HttpOutput text = output(request(server.url("/text")).runOn(block));

        assertThat(binary.bodyEncoding()).isEqualTo("base64");
        assertThat(java.util.Base64.getDecoder().decode(binary.body())).isEqualTo(every);
        assertThat(text.bodyEncoding()).isNull();
        assertThat(text.body()).isEqualTo("héllo ✓");
    }

    @Test
    void repeatedResponseHeadersAreJoinedWithCommas() throws Exception {
        server.on("/multi", Reply.ok("x").header("Vary", "Accept").header("Vary", "Origin"));

        HttpOutput output = output(request(server.url("/multi")).runOn(block));

        assertThat(output.headers()).containsEntry("Vary", "Accept, Origin");
    }

    @Test
    void postSendsMethodHeadersAndUtf8Body() throws Exception {
        server.on("/process", Reply.status(201).body("created"));

        StepResult result = request(server.url("/process?x=1")).method("POST")
                .header("Content-Type", "application/json").header("X-Api-Key", "k-1")
                .body("{\"input\":\"grüße\"}").runOn(block);

        assertThat(output(result).statusCode()).isEqualTo(201);
        RecordedRequest received = server.requests("/process").getFirst();
        assertThat(received.method()).isEqualTo("POST");
        assertThat(received.target()).isEqualTo("/process?x=1");
        assertThat(received.header("x-api-key")).contains("k-1");
        assertThat(received.header("content-type")).contains("application/json");
        assertThat(received.body()).isEqualTo("{\"input\":\"grüße\"}");
    }

    @Test
    void notFoundIsANonRetryableHttpErrorWithItsStatus() throws Exception {
        server.on("/missing", Reply.status(404).body("no such thing"));

        ExecError error = failure(request(server.url("/missing")).runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.HTTP_ERROR);
        assertThat(error.isRetryable()).isFalse();
        assertThat(error.details()).containsEntry("status_code", 404)
                .containsEntry("url", server.url("/missing"))
                .containsEntry("block_type", "http.request")
                .containsEntry("body", "no such thing");
    }

    @Test
    void anErrorBodyThatIsNotUtf8ComesInBase64() throws Exception {
        byte[] bytes = {(byte) 0xff, (byte) 0xfe, (byte) 0x80, 0, 'A'};
        server.on("/binary-error", Reply.status(500).body(bytes));
        server.on("/cut-error", Reply.status(500).body("é".repeat(5_000)));  // the snippet ends inside a character

        ExecError binary = failure(request(server.url("/binary-error")).runOn(block));
        ExecError cut = failure(request(server.url("/cut-error")).runOn(block));

        assertThat(binary.details()).containsEntry("body_encoding", "base64");
        assertThat(java.util.Base64.getDecoder().decode((String) binary.details().get("body"))).isEqualTo(bytes);
        assertThat(cut.details()).doesNotContainKey("body_encoding");
        assertThat((String) cut.details().get("body")).matches("é+");

        // Latin-1 "café", whole: it was once sent as "caf", its last byte taken for a cut character
        server.on("/latin1-error", Reply.status(422).body(new byte[] {'c', 'a', 'f', (byte) 0xe9}));
        ExecError latin1 = failure(request(server.url("/latin1-error")).runOn(block));
        assertThat(latin1.details()).containsEntry("body_encoding", "base64").containsEntry("body", "Y2Fm6Q==");
    }

    @Test
    void anUpperCaseSchemeIsCalledLikeALowerCaseOne() throws Exception {
        server.on("/upper", Reply.ok("fine"));

        HttpOutput output = output(request(server.url("/upper").replaceFirst("^http", "HTTP")).runOn(block));

        assertThat(output.statusCode()).isEqualTo(200);
        assertThat(output.body()).isEqualTo("fine");
    }

    @Test
    void serviceUnavailableIsARetryableHttpError() throws Exception {
        server.on("/busy", Reply.status(503));

        ExecError error = failure(request(server.url("/busy")).runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.HTTP_ERROR);
        assertThat(error.isRetryable()).isTrue();
        assertThat(error.details()).containsEntry("status_code", 503).doesNotContainKey("retry_after_ms");
    }

    @Test
    void tooManyRequestsIsRetryableAndCarriesRetryAfter() throws Exception {
        server.on("/limited", Reply.retryAfter(429, "7"));

        ExecError error = failure(request(server.url("/limited")).runOn(block));

        assertThat(error.isRetryable()).isTrue();
        assertThat(error.details()).containsEntry("status_code", 429).containsEntry("retry_after_ms", 7000L);
    }

    @Test
    void errorBodyInDetailsIsCutToOneKibibyte() throws Exception {
        server.on("/boom", Reply.status(500).body("x".repeat(5000)));

        ExecError error = failure(request(server.url("/boom")).runOn(block));

        assertThat((String) error.details().get("body")).hasSize(BodyRouting.ERROR_SNIPPET_BYTES);
    }

    @Test
    void restrictedHeaderIsInvalidInputAndNothingIsSent() throws Exception {
        server.on("/x", Reply.ok("x"));

        ExecError error = failure(request(server.url("/x")).header("Host", "evil.example").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(error.message()).contains("Host");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void framingHeadersTheClientDoesNotRefuseByItselfAreInvalidInputToo() throws Exception {
        server.on("/x", Reply.ok("x"));

        for (String name : new String[] {"Transfer-Encoding", "transfer-encoding", "TE", "Trailer", "Keep-Alive", "Proxy-Connection"}) {
            ExecError error = failure(request(server.url("/x")).method("POST").body("abc").header(name, "chunked").runOn(block));

            assertThat(error.code()).as(name).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(error.message()).as(name).contains(name);
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aHeaderValueBeyondAsciiIsInvalidInputNotSentAsQuestionMarks() throws Exception {
        server.on("/x", Reply.ok("x"));

        ExecError error = failure(request(server.url("/x")).header("X-U", "caf\u00e9").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(error.message()).contains("X-U", "ASCII");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void bodilessGetHeadAndDeleteCarryNoContentLength() throws Exception {
        server.on("/x", Reply.ok("x"));

        for (String method : new String[] {"GET", "HEAD", "DELETE"}) {
            request(server.url("/x")).method(method).runOn(block);
        }
        request(server.url("/x")).method("POST").runOn(block);

        assertThat(server.requests()).hasSize(4);
        for (RecordedRequest sent : server.requests().subList(0, 3)) {
            assertThat(sent.header("content-length")).as(sent.method()).isEmpty();
        }
        assertThat(server.requests().get(3).header("content-length")).as("a POST says its body is empty").contains("0");
    }

    @Test
    void aStatusBeyond599IsNotRetryable() throws Exception {
        server.on("/odd", Reply.status(600));

        ExecError error = failure(request(server.url("/odd")).runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.HTTP_ERROR);
        assertThat(error.isRetryable()).isFalse();
    }

    @Test
    void headerValueWithLineBreakCannotInjectHeaders() throws Exception {
        server.on("/x", Reply.ok("x"));

        ExecError error = failure(request(server.url("/x")).header("X-Note", "a\r\nX-Injected: yes").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void urlWithUserInfoIsInvalidInput() throws Exception {
        ExecError error = failure(request("http://user:secret@127.0.0.1:" + server.port() + "/").runOn(block));

        assertThat(error.code()).isEqualTo(ErrorCode.INVALID_INPUT);
        assertThat(server.requests()).isEmpty();
        assertThat(error.details().get("url")).as("no password in what subscribers of results read")
                .isEqualTo("http://***@127.0.0.1:" + server.port() + "/");
        assertThat(io.beamline.worker.contract.Json.write(error)).asString().doesNotContain("secret");

        // a password with a slash, and a URL that does not parse (its parser's message repeats it)
        for (String url : java.util.List.of("https://admin:hun/ter2@127.0.0.1:" + server.port() + "/a",
                "https://admin:hunter2@127.0.0.1:" + server.port() + "/a b", "http://user:hunter2@[::1/x")) {
            ExecError refused = failure(request(url).runOn(block));
            assertThat(refused.code()).as(url).isEqualTo(ErrorCode.INVALID_INPUT);
            assertThat(io.beamline.worker.contract.Json.write(refused)).asString().as(url).doesNotContain("hunter2", "ter2");
        }
    }

    @Test
    void redirectIsReturnedAsItIsByDefault() throws Exception {
        server.on("/old", Reply.redirect(302, "/new"));

        HttpOutput output = output(request(server.url("/old")).runOn(block));

        assertThat(output.statusCode()).isEqualTo(302);
        assertThat(output.headers()).containsEntry("Location", "/new");
        assertThat(server.requests("/new")).isEmpty();
    }

    @Test
    void redirectsAreFollowedWhenEnabledAndPostBecomesGet() throws Exception {
        server.on("/old", Reply.redirect(302, "/new")).on("/new", Reply.ok("moved here"));
        try (HttpBlock following = new HttpBlock(HttpConfig.defaults(false).withFollowRedirects(true), new TenantPaths(dataDir))) {

            HttpOutput output = output(request(server.url("/old")).method("POST").body("data").runOn(following));

            assertThat(output.statusCode()).isEqualTo(200);
            assertThat(output.body()).isEqualTo("moved here");
            assertThat(server.requests("/new").getFirst().method()).isEqualTo("GET");
        }
    }

    @Test
    void aPostTurnedIntoAGetByARedirectLeavesItsBodysHeadersBehind() throws Exception {
        server.on("/old", Reply.redirect(302, "/new")).on("/new", Reply.ok("moved here"));
        try (HttpBlock following = new HttpBlock(HttpConfig.defaults(false).withFollowRedirects(true), new TenantPaths(dataDir))) {

            request(server.url("/old")).method("POST").body("data").header("Content-Type", "text/plain")
                    .header("Content-Language", "en").header("X-Keep", "1").runOn(following);

            RecordedRequest second = server.requests("/new").getFirst();
            assertThat(second.header("content-type")).isEmpty();
            assertThat(second.header("content-language")).isEmpty();
            assertThat(second.header("content-length")).isEmpty();
            assertThat(second.header("x-keep")).contains("1");
        }
    }

    @Test
    void credentialsAreNotCarriedToAnotherOriginOnRedirect() throws Exception {
        // 127.0.0.1 and localhost are different origins, though the same server
        server.on("/start", Reply.redirect(307, "http://localhost:" + server.port() + "/elsewhere"))
                .on("/elsewhere", Reply.ok("ok"));
        try (HttpBlock following = new HttpBlock(HttpConfig.defaults(false).withFollowRedirects(true), new TenantPaths(dataDir))) {

            request(server.url("/start")).header("Authorization", "Bearer secret").header("X-Keep", "1").runOn(following);

            RecordedRequest second = server.requests("/elsewhere").getFirst();
            assertThat(second.header("authorization")).isEmpty();
            assertThat(second.header("x-keep")).contains("1");
        }
    }

    @Test
    void endlessRedirectsStopAfterFiveHops() throws Exception {
        server.on("/loop", Reply.redirect(302, "/loop"));
        try (HttpBlock following = new HttpBlock(HttpConfig.defaults(false).withFollowRedirects(true), new TenantPaths(dataDir))) {

            ExecError error = failure(request(server.url("/loop")).runOn(following));

            assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
            assertThat(server.requests("/loop")).hasSize(Redirects.MAX_HOPS + 1);
        }
    }

    @Test
    void headRequestWithLargeDeclaredLengthSucceeds() throws Exception {
        server.on("/big", Reply.generated(HttpConfig.DEFAULT_MAX_RESPONSE_BYTES * 4));

        HttpOutput output = output(request(server.url("/big")).method("HEAD").runOn(block));

        assertThat(output.statusCode()).isEqualTo(200);
        assertThat(output.body()).isEmpty();
    }

    static HttpOutput output(StepResult result) {
        assertThat(result).isInstanceOf(StepResult.Succeeded.class);
        return (HttpOutput) ((StepResult.Succeeded) result).output();
    }

    static ExecError failure(StepResult result) {
        assertThat(result).isInstanceOf(StepResult.Failed.class);
        return result.error().orElseThrow();
    }

    static Map<String, Object> details(StepResult result) {
        return result.error().orElseThrow().details();
    }
}
