package io.beamline.worker.block.human;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The approval web page ({@code GET /approvals/ui}): pending approvals, and the one a decision
 * link points at with a comment box and Approve / Reject buttons. Self-contained (no external
 * assets). Prompts and names are tenant-supplied, so every inserted text is HTML-escaped, and
 * the page's Content-Security-Policy only lets the script carrying this response's nonce run.
 * The script reads approver and token from the page's own query, never from the server.
 * Stateless and thread-safe.
 */
final class ApprovalPage {
    /** Rows shown in the pending list; the JSON API has them all. */
    static final int MAX_LISTED = 200;

    private static final String STYLE = """
            body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:52rem;padding:0 1rem;color:#222}
            table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.4rem;text-align:left;vertical-align:top}
            .prompt{white-space:pre-wrap;background:#f6f6f6;padding:1rem;border-radius:.3rem}
            textarea{width:100%;box-sizing:border-box;min-height:5rem}button{font-size:1rem;margin:.5rem .5rem 0 0;padding:.4rem 1.2rem}
            .ok{color:#06612a}.error{color:#a40000}""";

    private static final String SCRIPT = """
            (function () {
              var form = document.getElementById('decide');
              if (!form) { return; }
              var params = new URLSearchParams(location.search);
              var status = document.getElementById('status');
              var buttons = form.querySelectorAll('button');
              function enable(on) { buttons.forEach(function (b) { b.disabled = !on; }); }
              function send(approved) {
                enable(false);
                status.className = ''; status.textContent = 'Sending\\u2026';
                // to the page's own address with the id in the query: no path can carry the ids '.'
                // and '..' from a browser (URL parsing resolves them, also as %2E), and a relative
                // address keeps working behind a proxy that serves the worker under a path prefix
                fetch('ui?id=' + encodeURIComponent(params.get('id')), {
                  method: 'POST', headers: {'Content-Type': 'application/json'},
                  body: JSON.stringify({approver: params.get('approver'), token: params.get('token'),
                    approved: approved, comment: document.getElementById('comment').value})
                }).then(function (response) {
                  return response.json().catch(function () { return {}; }).then(function (body) {
                    if (response.ok) {
                      status.className = 'ok';
                      status.textContent = body.state === 'pending'
                        ? 'Your vote is recorded; the approval waits for the other approvers.'
                        : (approved ? 'Approved' : 'Rejected') + '. The approval is now ' + body.state + '.';
                      document.getElementById('state').textContent = body.state;
                    } else {
                      status.className = 'error';
                      status.textContent = 'Refused (' + response.status + '): ' + (body.error || response.statusText);
                      if (response.status >= 500) { enable(true); }
                    }
                  });
                }).catch(function (e) {
                  status.className = 'error'; status.textContent = 'Could not reach the worker: ' + e; enable(true);
                });
              }
              document.getElementById('approve').addEventListener('click', function () { send(true); });
              document.getElementById('reject').addEventListener('click', function () { send(false); });
            })();""";

    private ApprovalPage() {
    }

    /** The Content-Security-Policy that goes with a page rendered with {@code nonce}. */
    static String contentSecurityPolicy(String nonce) {
        return "default-src 'none'; script-src 'nonce-" + nonce + "'; style-src 'nonce-" + nonce + "'; "
                + "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    }

    /**
     * @param requestedId the approval the link names, if it names one
     * @param selected    that approval, when this worker knows it
     * @param approver    whose link it is, when it carries an approver and a token (so it may decide)
     */
    static String render(Optional<String> requestedId, Optional<Approval> selected, Optional<String> approver,
                         List<Approval> pending, String nonce) {
        StringBuilder html = new StringBuilder(4096).append("""
                <!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
                <meta name="viewport" content="width=device-width, initial-scale=1">
                <meta name="referrer" content="no-referrer"><title>Approvals</title>""")
                .append("<style nonce=\"").append(nonce).append("\">").append(STYLE).append("</style></head><body>\n");
        if (selected.isPresent()) {
            detail(html, selected.get(), approver);
        } else {
            // a purged approval's link, or one another worker serves: say so rather than show nothing
            requestedId.ifPresent(id -> html.append("<h1>Approval not found</h1>\n<p>This worker has no approval <b>")
                    .append(escape(id)).append("</b>: it was decided and has since been removed, or another worker holds it.</p>\n"));
        }
        list(html, pending);
        return html.append("<script nonce=\"").append(nonce).append("\">").append(SCRIPT)
                .append("</script></body></html>\n").toString();
    }

    private static void detail(StringBuilder html, Approval approval, Optional<String> approver) {
        html.append("<h1>").append(approval.isPending() ? "Approval requested" : "Approval " + approval.state().wireName())
                .append("</h1>\n<div class=\"prompt\" id=\"prompt\">").append(escape(approval.prompt()))
                .append("</div>\n<p>Tenant <b>").append(escape(approval.tenantId())).append("</b> &middot; approvers ")
                .append(escape(String.join(", ", approval.approvers()))).append(" &middot; ")
                .append(approval.requiredApprovals()).append(" approval(s) needed, ").append(approval.approvalsSoFar())
                .append(" so far &middot; deadline ").append(Instant.ofEpochMilli(approval.deadline())).append("</p>\n")
                .append("<p>State: <b id=\"state\">").append(approval.state().wireName()).append("</b>");
        if (approval.reason() != null) {
            html.append(" &middot; ").append(escape(approval.reason()));
        }
        html.append("</p>\n");
        votes(html, approval.votes());
        approver.ifPresent(name -> html.append("<p>This link is <b>").append(escape(name)).append("</b>'s.</p>\n"));
        if (!approval.isPending() || approver.isEmpty()) {
            return;
        }
        if (approval.hasVoted(approver.get())) {
            html.append("<p>You have voted; the approval waits for the other approvers.</p>\n");
            return;
        }
        html.append("<div id=\"decide\"><label for=\"comment\">Comment</label><br>")
                .append("<textarea id=\"comment\" maxlength=\"").append(Decision.MAX_COMMENT_CHARS).append("\"></textarea><br>")
                .append("<button id=\"approve\" type=\"button\">Approve</button>")
                .append("<button id=\"reject\" type=\"button\">Reject</button>")
                .append("<noscript><p class=\"error\">Deciding on this page needs JavaScript, which is turned off here. ")
                .append("Open the link in a browser that runs it, or POST {\"approver\", \"token\", \"approved\", \"comment\"} ")
                .append("to /approvals/").append(escape(pathSegment(approval.id()))).append("/decision.</p></noscript>")
                .append("<p id=\"status\" role=\"status\"></p></div>\n");
    }

    /** Who decided what so far, with their comments. */
    private static void votes(StringBuilder html, List<Vote> votes) {
        if (votes.isEmpty()) {
            return;
        }
        html.append("<ul id=\"votes\">");
        for (Vote vote : votes) {
            html.append("<li><b>").append(escape(vote.approver())).append("</b> ").append(vote.approved() ? "approved" : "rejected")
                    .append(" at ").append(Instant.ofEpochMilli(vote.decidedAt()));
            if (vote.comment() != null && !vote.comment().isEmpty()) {
                html.append(": ").append(escape(vote.comment()));
            }
            html.append("</li>");
        }
        html.append("</ul>\n");
    }

    private static void list(StringBuilder html, List<Approval> pending) {
        html.append("<h2>Pending approvals</h2>\n");
        if (pending.isEmpty()) {
            html.append("<p>No pending approvals.</p>\n");
            return;
        }
        html.append("<table><tr><th>Prompt</th><th>Tenant</th><th>Approvers</th><th>Deadline</th></tr>\n");
        for (Approval approval : pending.subList(0, Math.min(pending.size(), MAX_LISTED))) {
            html.append("<tr><td>").append(escape(approval.prompt())).append("</td><td>").append(escape(approval.tenantId()))
                    .append("</td><td>").append(escape(String.join(", ", approval.approvers())))
                    .append("</td><td>").append(Instant.ofEpochMilli(approval.deadline())).append("</td></tr>\n");
        }
        html.append("</table>\n");
        if (pending.size() > MAX_LISTED) {
            html.append("<p>").append(pending.size() - MAX_LISTED).append(" more not shown.</p>\n");
        }
    }

    /**
     * {@code id} percent-encoded as one path segment, dots too: a client that resolves dot
     * segments (most do) would otherwise turn {@code ..} into the parent directory.
     */
    static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20").replace(".", "%2E");
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
