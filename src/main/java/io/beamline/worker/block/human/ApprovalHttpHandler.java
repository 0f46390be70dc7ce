package io.beamline.worker.block.human;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.beamline.worker.block.human.DecisionOutcome.Accepted;
import io.beamline.worker.block.human.DecisionOutcome.Refusal;
import io.beamline.worker.block.human.DecisionOutcome.Refused;
import io.beamline.worker.observability.HttpSurface;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The approval API and page, mounted at {@value #PREFIX} on the worker's HTTP server:
 * <pre>
 * GET  /approvals[?tenant_id=T]      pending approvals of T (of every tenant without T)
 * GET  /approvals/{id}               one approval, its votes and audit trail
 * POST /approvals/{id}/decision      {approver, token, approved, comment?}
 * GET  /approvals/ui[?id=&amp;approver=&amp;token=&amp;tenant_id=]   the web page
 * POST /approvals/ui?id={id}        the page's decision: as /approvals/{id}/decision
 * </pre>
 * Path segments are percent-decoded one by one, so any assignment id is addressable. (An
 * approval whose id is {@code ui} is read through the page, {@code ?id=ui}.) Refusals answer
 * {@code {"error", "reason"}} with the status of {@link #status}. Thread-safe.
 */
public final class ApprovalHttpHandler implements HttpHandler {
    public static final String PREFIX = "/approvals";
    private static final SecureRandom NONCES = new SecureRandom();

    private final ApprovalService service;

    public ApprovalHttpHandler(ApprovalService service) {
        this.service = service;
    }

    /** A refusal as the API answers it. */
    public record RefusalBody(String error, String reason) {
    }

    /** The answer of {@code GET /approvals}. */
    public record ApprovalList(List<Approval> approvals) {
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Optional<List<String>> path = segments(exchange.getRequestURI().getRawPath());
        if (path.isEmpty()) {
            refuse(exchange, 404, "not found", "not_found");
            return;
        }
        List<String> segments = path.get();
        if (segments.isEmpty()) {
            whenGet(exchange, () -> HttpSurface.sendJson(exchange, 200,
                    new ApprovalList(service.pending(QueryString.of(exchange).get("tenant_id")).stream()
                            .map(Approval::withoutAudit).toList())));
        } else if (segments.size() == 1 && segments.get(0).equals("ui")) {
            Optional<String> id = QueryString.of(exchange).get("id");
            if (exchange.getRequestMethod().equals("POST") && id.isPresent()) {
                decide(exchange, id.get());  // the page's own form: browsers cannot put '.' or '..' in a path
            } else {
                whenGet(exchange, () -> page(exchange));
            }
        } else if (segments.size() == 1) {
            whenGet(exchange, () -> show(exchange, segments.get(0)));
        } else if (segments.size() == 2 && segments.get(1).equals("decision")) {
            if (!exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().set("Allow", "POST");
                refuse(exchange, 405, "use POST", "method_not_allowed");
                return;
            }
            decide(exchange, segments.get(0));
        } else {
            refuse(exchange, 404, "not found", "not_found");
        }
    }

    private void show(HttpExchange exchange, String id) throws IOException {
        Optional<Approval> approval = service.find(id);
        if (approval.isPresent()) {
            HttpSurface.sendJson(exchange, 200, approval.get());
        } else {
            refuse(exchange, 404, "no approval with this id", "unknown_id");
        }
    }

    private void decide(HttpExchange exchange, String id) throws IOException {
        byte[] body = HttpSurface.readBody(exchange);
        DecisionOutcome outcome = body == null
                ? service.refuseUnread(id, Refusal.TOO_LARGE, "body larger than " + HttpSurface.MAX_REQUEST_BYTES + " bytes")
                : switch (DecisionRequest.parse(body)) {
                    case DecisionRequest.Valid valid -> service.decide(id, valid.decision());
                    case DecisionRequest.Malformed malformed -> service.refuseUnread(id, Refusal.MALFORMED, malformed.problem());
                };
        switch (outcome) {
            case Accepted accepted -> HttpSurface.sendJson(exchange, 200, accepted.approval());
            case Refused refused -> refuse(exchange, status(refused.refusal()), refused.message(), refused.refusal().wireName());
        }
    }

    private void page(HttpExchange exchange) throws IOException {
        QueryString query = QueryString.of(exchange);
        Optional<Approval> selected = query.get("id").flatMap(service::find);
        // a link that can decide carries an approver and a token (checked when the decision is posted)
        Optional<String> approver = query.get("token").isPresent() ? query.get("approver") : Optional.empty();
        String nonce = nonce();
        String html = ApprovalPage.render(query.get("id"), selected, approver, service.pending(query.get("tenant_id")), nonce);
        exchange.getResponseHeaders().set("Content-Security-Policy", ApprovalPage.contentSecurityPolicy(nonce));
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
        int status = query.get("id").isPresent() && selected.isEmpty() ? 404 : 200;
        HttpSurface.send(exchange, status, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
    }

    /** The HTTP status of each refusal. */
    static int status(DecisionOutcome.Refusal refusal) {
        return switch (refusal) {
            case MALFORMED -> 400;
            case TOO_LARGE -> 413;
            case NOT_AN_APPROVER, WRONG_TOKEN -> 403;
            case UNKNOWN_ID -> 404;
            case ALREADY_DECIDED, ALREADY_VOTED -> 409;
            case PAST_DEADLINE, CANCELLED -> 410;
            case UNAVAILABLE -> 503;
        };
    }

    @FunctionalInterface
    private interface Response {
        void send() throws IOException;
    }

    private static void whenGet(HttpExchange exchange, Response response) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD")) {
            response.send();
        } else {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            refuse(exchange, 405, "use GET", "method_not_allowed");
        }
    }

    private static void refuse(HttpExchange exchange, int status, String message, String reason) throws IOException {
        HttpSurface.sendJson(exchange, status, new RefusalBody(message, reason));
    }

    /** The decoded segments after {@value #PREFIX}; empty when the path is not under it or badly encoded. */
    static Optional<List<String>> segments(String rawPath) {
        if (rawPath == null || !(rawPath.equals(PREFIX) || rawPath.startsWith(PREFIX + "/"))) {
            return Optional.empty();
        }
        String rest = rawPath.substring(PREFIX.length());
        rest = rest.startsWith("/") ? rest.substring(1) : rest;
        if (rest.isEmpty()) {
            return Optional.of(List.of());
        }
        try {
            // '+' is literal in a path; URLDecoder would turn it into a space
            List<String> segments = List.of(rest.split("/", -1)).stream()
                    .map(segment -> URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8)).toList();
            return segments.stream().anyMatch(String::isEmpty) ? Optional.empty() : Optional.of(segments);
        } catch (IllegalArgumentException badEscape) {
            return Optional.empty();
        }
    }

    private static String nonce() {
        byte[] bytes = new byte[16];
        NONCES.nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }
}
