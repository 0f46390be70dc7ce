package io.beamline.worker.block.http;

import io.beamline.worker.support.Reply;
import static io.beamline.worker.block.http.HttpJobs.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.StepResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Interruption means "stop now": the in-flight exchange is aborted and its connection closed. */
class HttpBlockCancellationTest extends LocalServerTest {
    @Test
    void interruptionAbortsTheInFlightRequestAndClosesItsConnection() throws Exception {
        server.on("/void", Reply.blackhole());
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread step = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(request(server.url("/void")).timeoutMs(60_000).runOn(block));
            } catch (InterruptedException e) {
                outcome.complete(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests("/void").size() == 1);
        Thread.sleep(200);

        step.interrupt();

        assertThat(outcome.get(2, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionsClosedByClient() == 1);
    }

    @Test
    void interruptedDownloadLeavesNoPartialFile() throws Exception {
        server.on("/trickle", Reply.ok("z".repeat(1000)).trickle(10, Duration.ofMillis(50)));
        Path root = new TenantPaths(dataDir).root(HttpJobs.TENANT);
        CompletableFuture<Object> outcome = new CompletableFuture<>();
        Thread step = Thread.ofVirtual().start(() -> {
            try {
                outcome.complete(request(server.url("/trickle")).responseToPath("slow.txt").runOn(block));
            } catch (InterruptedException e) {
                outcome.complete(e);
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> server.requests("/trickle").size() == 1);
        Thread.sleep(300);

        step.interrupt();

        assertThat(outcome.get(2, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
        assertThat(root.resolve("slow.txt")).doesNotExist();
        try (Stream<Path> files = Files.list(root)) {
            assertThat(files.toList()).isEmpty();
        }
    }

    @Test
    void timeoutAlsoClosesTheConnection() throws Exception {
        server.on("/void", Reply.blackhole());

        StepResult result = request(server.url("/void")).timeoutMs(300).runOn(block);

        assertThat(result).isInstanceOf(StepResult.TimedOut.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> server.connectionsClosedByClient() == 1);
    }
}
