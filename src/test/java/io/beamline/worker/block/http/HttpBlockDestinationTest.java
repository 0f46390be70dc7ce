package io.beamline.worker.block.http;

import io.beamline.worker.support.FaultServer;
import io.beamline.worker.support.Reply;
import io.beamline.worker.support.RecordedRequest;
import io.beamline.worker.support.FullBacklogListener;
import static io.beamline.worker.block.http.HttpBlockExchangeTest.failure;
import static io.beamline.worker.block.http.HttpBlockExchangeTest.output;
import static io.beamline.worker.block.http.HttpJobs.request;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The destination policy on real calls: refused destinations end as 2003 before any connection
 * is made. Refused addresses are never contacted (nothing listens there, and the refusal comes
 * before connecting); only loopback ever receives traffic.
 */
class HttpBlockDestinationTest {
    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    @TempDir
    Path dataDir;
    private FaultServer server;

    @BeforeEach
    void start() throws Exception {
        server = FaultServer.start();
        server.on("/ok", Reply.ok("reached"));
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "HTTP://169.254.169.254/latest/meta-data/",          // a scheme in capitals is the same scheme
            "http://2852039166/latest/meta-data/",             // 169.254.169.254 as one decimal number
            "http://[::ffff:169.254.169.254]/latest/meta-data/", // IPv4-mapped IPv6
            "http://[fe80::1]/",                               // IPv6 link-local
            "http://[fd00:ec2::254]/latest/meta-data/",        // AWS IMDS over IPv6
            "http://[fe80::1%25lo]:8080/"})                    // scoped address
    void metadataAndLinkLocalAddressesAreRefusedAtOnce(String url) throws Exception {
        try (HttpBlock block = block(DestinationPolicy.open(), false)) {

            long started = System.nanoTime();
            ExecError error = failure(request(url).runOn(block));

            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(PROMPTLY);
            assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(error.isRetryable()).isFalse();
            assertThat(error.details()).containsEntry("url", url).containsEntry("block_type", "http.request");
        }
    }

    @Test
    void deniedHostIsRefusedAndNotContacted() throws Exception {
        try (HttpBlock block = block(DestinationPolicy.of(List.of(), List.of("localhost"), false), false)) {

            ExecError error = failure(request("http://localhost:" + server.port() + "/ok").runOn(block));

            assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void deniedDomainSuffixIsRefusedWithoutAnyLookup() throws Exception {
        try (HttpBlock block = block(DestinationPolicy.of(List.of(), List.of("*.internal"), false), false)) {

            ExecError error = failure(request("http://billing.corp.internal/").runOn(block));

            assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        }
    }

    @Test
    void deniedAddressBlockCatchesAnIpLiteral() throws Exception {
        try (HttpBlock block = block(DestinationPolicy.of(List.of(), List.of("127.0.0.0/8"), false), false)) {

            ExecError error = failure(request(server.url("/ok")).runOn(block));

            assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void hostOffTheAllowListIsRefused() throws Exception {
        try (HttpBlock block = block(DestinationPolicy.of(List.of("api.example.com"), List.of(), false), false)) {

            ExecError error = failure(request(server.url("/ok")).runOn(block));

            assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void addressOnTheAllowListIsReached() throws Exception {
        try (HttpBlock block = block(DestinationPolicy.of(List.of("127.0.0.1/32"), List.of(), false), false)) {

            assertThat(output(request(server.url("/ok")).runOn(block)).body()).isEqualTo("reached");
        }
    }

    @Test
    void loopbackIsRefusedWhenPrivateRangesAreDenied() throws Exception {
        try (HttpBlock block = block(DestinationPolicy.of(List.of(), List.of(), true), false)) {

            ExecError error = failure(request("http://localhost:" + server.port() + "/ok").runOn(block));

            assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(server.requests()).isEmpty();
        }
    }

    @Test
    void redirectToTheMetadataAddressIsRefused() throws Exception {
        server.on("/go", Reply.redirect(302, "http://169.254.169.254/latest/meta-data/"));
        try (HttpBlock block = block(DestinationPolicy.open(), true)) {

            ExecError error = failure(request(server.url("/go")).runOn(block));

            assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
            assertThat(error.message()).contains("169.254.169.254");
            assertThat(server.requests()).hasSize(1);
        }
    }

    private HttpBlock block(DestinationPolicy policy, boolean followRedirects) {
        HttpConfig config = HttpConfig.defaults(false).withDestinations(policy).withFollowRedirects(followRedirects);
        return new HttpBlock(config, new TenantPaths(dataDir));
    }
}
