package io.beamline.worker.block.human;

import static io.beamline.worker.block.human.ApprovalHarness.job;
import static io.beamline.worker.block.human.ApprovalHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ApprovalOutput;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.Json;
import io.beamline.worker.contract.StepResult;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An approver opens their decision link in a real browser (headless Chromium, driven over the
 * DevTools Protocol), types a comment and clicks Approve; the waiting step completes. Needs
 * {@value #CHROMIUM} (Debian package {@code chromium}); without it the test fails.
 */
class ApprovalPageBrowserTest {
    static final String CHROMIUM = "/usr/bin/chromium";
    static final String APPROVER = "ann@example.com";
    static final String COMMENT = "Ship it, typed in Chromium";
    private static final Pattern DEVTOOLS_URL = Pattern.compile("DevTools listening on (ws://127\\.0\\.0\\.1:(\\d+)/\\S+)");

    @TempDir
    Path dataDir;
    @TempDir
    Path browserProfile;
    ApprovalHarness harness;
    Process chromium;

    @BeforeEach
    void start() throws Exception {
        assertThat(Files.isExecutable(Path.of(CHROMIUM)))
                .withFailMessage("%s not found: this test needs headless Chromium "
                        + "(apt-get install chromium; bin/test installs it)", CHROMIUM)
                .isTrue();
        harness = ApprovalHarness.start(dataDir);
    }

    @AfterEach
    void stop() throws Exception {
        if (chromium != null) {
            List<ProcessHandle> tree = new ArrayList<>(chromium.descendants().toList());
            tree.add(chromium.toHandle());
            tree.forEach(ProcessHandle::destroyForcibly);
            for (ProcessHandle process : tree) {
                process.onExit().get(10, TimeUnit.SECONDS);
            }
        }
        harness.close();
    }

    @Test
    void approverApprovesThroughTheWebPageAndTheWaitingStepCompletes() throws Exception {
        // given a step waiting for an approval whose prompt tries to inject script
        ExecAssignment assignment = ApprovalHarness.assignment("tenant-a", "{\"type\":\"human.approval\",\"prompt\":"
                + Json.writeString("Release 4.2 to production?<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>")
                + ",\"approvers\":[\"" + APPROVER + "\",\"bob@example.com\"],\"timeout_ms\":600000}");
        CompletableFuture<StepResult> step = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                step.complete(new HumanApprovalBlock(harness.service).execute(job(assignment),
                        new StepContext(assignment, 1, "worker-browser-test")));
            } catch (Throwable t) {
                step.completeExceptionally(t);
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> !harness.notifier.sentFor(assignment.assignmentId()).isEmpty());
        String link = harness.notifier.link(assignment.assignmentId(), APPROVER);
        assertThat(URI.create(link).getHost()).isEqualTo("127.0.0.1");

        // when the approver opens the link, types a comment and clicks Approve
        URI devTools = launchChromium(link);
        try (DevToolsSession page = DevToolsSession.connect(harness.client, pageTarget(devTools, link))) {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    page.evaluate("document.readyState === 'complete' && !!document.getElementById('approve')").asBoolean());
            assertThat(page.evaluate("String(window.pwned)").asText()).isEqualTo("undefined");
            page.evaluate("""
                    (function () {
                      var comment = document.getElementById('comment');
                      comment.focus();
                      comment.value = %s;
                      comment.dispatchEvent(new Event('input', {bubbles: true}));
                      document.getElementById('approve').dispatchEvent(new MouseEvent('click', {bubbles: true}));
                      return true;
                    })()""".formatted(Json.writeString(COMMENT)));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() ->
                    page.evaluate("document.getElementById('status').textContent").asText().startsWith("Approved"));
            screenshot(page);
        }

        // then the approval is decided with that comment, and the step has its result
        JsonNode approval = json(harness.get("/approvals/" + assignment.assignmentId()));
        assertThat(approval.get("state").textValue()).isEqualTo("approved");
        assertThat(approval.get("result").get("approver").textValue()).isEqualTo(APPROVER);
        assertThat(approval.get("result").get("comment").textValue()).isEqualTo(COMMENT);
        ApprovalOutput output = (ApprovalOutput) ((StepResult.Succeeded) step.get(10, TimeUnit.SECONDS)).output();
        assertThat(output.approved()).isTrue();
        assertThat(output.approver()).isEqualTo(APPROVER);
        assertThat(output.comment()).isEqualTo(COMMENT);
    }

    /** Starts Chromium on {@code url}; returns the DevTools browser endpoint it announces. */
    private URI launchChromium(String url) throws Exception {
        chromium = new ProcessBuilder(CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + browserProfile, "--remote-debugging-port=0", url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        CompletableFuture<URI> endpoint = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader stderr = new BufferedReader(new InputStreamReader(chromium.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = stderr.readLine()) != null) {
                    Matcher matcher = DEVTOOLS_URL.matcher(line);
                    if (matcher.find()) {
                        endpoint.complete(URI.create(matcher.group(1)));
                    }
                }
                endpoint.completeExceptionally(new AssertionError("chromium exited without a DevTools endpoint"));
            } catch (Exception e) {
                endpoint.completeExceptionally(e);
            }
        });
        return endpoint.get(60, TimeUnit.SECONDS);
    }

    /** The WebSocket of the page showing {@code url}, from the DevTools target list. */
    private URI pageTarget(URI browserEndpoint, String url) {
        URI list = URI.create("http://127.0.0.1:" + browserEndpoint.getPort() + "/json/list");
        return await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> targets = harness.client.send(HttpRequest.newBuilder(list).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode target : Json.readTree(targets.body().getBytes(StandardCharsets.UTF_8))) {
                if ("page".equals(target.path("type").asText()) && target.path("url").asText().startsWith(harness.baseUrl())) {
                    return URI.create(target.get("webSocketDebuggerUrl").asText());
                }
            }
            return null;
        }, target -> target != null);
    }

    /** Keeps a picture of the decided page for whoever reads the build (information only). */
    private static void screenshot(DevToolsSession page) throws Exception {
        JsonNode shot = page.call("Page.captureScreenshot", Json.mapper().createObjectNode().put("format", "png"));
        Path file = Path.of("target", "approval-page.png");
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(shot.get("data").asText()));
    }
}
