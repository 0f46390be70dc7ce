package io.beamline.worker.block.human;

import static io.beamline.worker.block.human.ApprovalHarness.job;
import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.contract.ExecAssignment;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApprovalPageTest {
    static final String HOSTILE = "<script>alert(1)</script><img src=x onerror=\"alert(2)\"> & 'quoted'";

    @TempDir
    Path dataDir;
    ApprovalHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = ApprovalHarness.start(dataDir);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void tenantSuppliedTextIsEscapedInThePage() throws Exception {
        ExecAssignment assignment = hostileApproval();
        String link = harness.notifier.link(assignment.assignmentId(), "<b>eve</b>");

        HttpResponse<String> page = harness.get(link.substring(harness.baseUrl().length()));

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body())
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt; &amp; &#39;quoted&#39;")
                .contains("&lt;b&gt;eve&lt;/b&gt;")
                .doesNotContain("<script>alert", "<img", "<b>eve")
                .contains("id=\"approve\"", "id=\"reject\"", "id=\"comment\"");
    }

    @Test
    void pageOnlyRunsItsOwnScriptAndSendsNoReferrer() throws Exception {
        HttpResponse<String> page = harness.get("/approvals/ui");

        String policy = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        String nonce = policy.replaceAll(".*script-src 'nonce-([^']+)'.*", "$1");
        assertThat(policy).contains("default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'");
        assertThat(page.body()).contains("<script nonce=\"" + nonce + "\">");
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(harness.get("/approvals/ui").headers().firstValue("Content-Security-Policy").orElseThrow())
                .isNotEqualTo(policy);
    }

    @Test
    void pageListsPendingApprovalsOfTheRequestedTenant() throws Exception {
        hostileApproval();
        ExecAssignment other = ApprovalHarness.assignment("tenant-b",
                "{\"type\":\"human.approval\",\"prompt\":\"Deploy the other thing?\",\"approvers\":[\"zed\"]}");
        harness.service.open(other, job(other));

        assertThat(harness.get("/approvals/ui").body()).contains("Deploy the other thing?", "&lt;script&gt;alert(1)");
        assertThat(harness.get("/approvals/ui?tenant_id=tenant-b").body())
                .contains("Deploy the other thing?").doesNotContain("alert(1)");
    }

    @Test
    void pageForAnUnknownApprovalAnswers404WithoutAForm() throws Exception {
        HttpResponse<String> page = harness.get("/approvals/ui?id=missing&approver=ann&token=x");

        assertThat(page.statusCode()).isEqualTo(404);
        assertThat(page.body()).doesNotContain("id=\"approve\"").contains("Approval not found", "<b>missing</b>");
    }

    @Test
    void theDecidingPageSaysWhatToDoWithoutJavaScript() throws Exception {
        ExecAssignment assignment = ApprovalHarness.approval("[\"ann\"]", "");
        harness.service.open(assignment, job(assignment));

        String page = harness.get(harness.notifier.link(assignment.assignmentId(), "ann").substring(harness.baseUrl().length())).body();

        assertThat(page).contains("id=\"approve\"", "<noscript>", "/approvals/" + assignment.assignmentId() + "/decision");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "a/../b"})
    void anApprovalWhoseIdIsADotSegmentIsDecidedTheWayThePageScriptPosts(String id) throws Exception {
        ExecAssignment assignment = ApprovalHarness.approvalWithId(id);
        CompletableFuture<ApprovalOutcome> outcome = harness.service.open(assignment, job(assignment));
        String link = harness.notifier.link(id, "ann");
        String page = harness.get(link.substring(harness.baseUrl().length())).body();
        assertThat(page).contains("fetch('ui?id=' + encodeURIComponent(params.get('id'))");

        // the script's address, resolved against the page's as a browser does (the id as encodeURIComponent leaves it)
        URI target = URI.create(link).resolve("ui?id=" + URLEncoder.encode(id, StandardCharsets.UTF_8));
        HttpResponse<String> answer = harness.post(target.getRawPath() + "?" + target.getRawQuery(),
                ApprovalHarness.decisionBody("ann", harness.notifier.token(id, "ann"), true, "from the page"));

        assertThat(target.getRawPath()).isEqualTo("/approvals/ui");
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(ApprovalServiceTest.decided(outcome).comment()).isEqualTo("from the page");
    }

    @Test
    void theNoScriptHelpPercentEncodesTheIdDotsIncluded() throws Exception {
        ExecAssignment assignment = ApprovalHarness.approvalWithId("..");
        harness.service.open(assignment, job(assignment));

        String page = harness.get(harness.notifier.link("..", "ann").substring(harness.baseUrl().length())).body();

        assertThat(page).contains("to /approvals/%2E%2E/decision.");
        assertThat(ApprovalPage.pathSegment("a b/<c>.d")).isEqualTo("a%20b%2F%3Cc%3E%2Ed");
    }

    @Test
    void aLinkShowsTheVotesSoFarAndWhetherItsApproverHasVoted() throws Exception {
        ExecAssignment assignment = ApprovalHarness.approval("[\"ann\",\"bob\"]", "\"required_approvals\":2");
        harness.service.open(assignment, job(assignment));
        assertThat(harness.decide(assignment.assignmentId(), "ann", true, "fine by <me>").statusCode()).isEqualTo(200);

        String annsPage = harness.get(harness.notifier.link(assignment.assignmentId(), "ann").substring(harness.baseUrl().length())).body();
        String bobsPage = harness.get(harness.notifier.link(assignment.assignmentId(), "bob").substring(harness.baseUrl().length())).body();

        assertThat(annsPage).contains("<b>ann</b> approved", "fine by &lt;me&gt;", "You have voted").doesNotContain("id=\"approve\"");
        assertThat(bobsPage).contains("<b>ann</b> approved", "id=\"approve\"");
        assertThat(harness.decide(assignment.assignmentId(), "bob", false, "no").statusCode()).isEqualTo(200);
        assertThat(harness.get(harness.notifier.link(assignment.assignmentId(), "bob").substring(harness.baseUrl().length())).body())
                .contains("<h1>Approval rejected</h1>", "<b>bob</b> rejected at").doesNotContain("id=\"approve\"");
    }

    @Test
    void pageWithoutATokenShowsTheApprovalButNoButtons() throws Exception {
        ExecAssignment assignment = hostileApproval();

        HttpResponse<String> page = harness.get("/approvals/ui?id=" + assignment.assignmentId());

        assertThat(page.body()).contains("id=\"prompt\"").doesNotContain("id=\"approve\"");
    }

    private ExecAssignment hostileApproval() {
        ExecAssignment assignment = ApprovalHarness.assignment("tenant-a", "{\"type\":\"human.approval\",\"prompt\":"
                + io.beamline.worker.contract.Json.writeString(HOSTILE) + ",\"approvers\":[\"<b>eve</b>\"]}");
        harness.service.open(assignment, job(assignment));
        return assignment;
    }
}
