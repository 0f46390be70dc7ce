package io.beamline.worker.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.beamline.worker.runtime.AssignmentStatus;
import java.io.IOException;
import java.util.function.Function;

/** {@code GET /assignments/{id}}: the {@link AssignmentStatus} of one assignment, 404 when unknown. */
public final class AssignmentStatusEndpoint implements HttpHandler {
    public static final String PREFIX = "/assignments/";

    private final Function<String, AssignmentStatus> status;

    public AssignmentStatusEndpoint(Function<String, AssignmentStatus> status) {
        this.status = status;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            HttpSurface.sendJson(exchange, 405, new HttpSurface.ErrorBody("method not allowed"));
            return;
        }
        String path = exchange.getRequestURI().getPath();  // percent-decoded, '+' kept as is
        String id = path.length() > PREFIX.length() ? path.substring(PREFIX.length()) : "";
        if (id.isEmpty() || id.contains("/")) {
            HttpSurface.sendJson(exchange, 404, new HttpSurface.Refusal("use /assignments/{assignment_id}", "not_found"));
            return;
        }
        AssignmentStatus answer = status.apply(id);
        HttpSurface.sendJson(exchange, answer.state().equals("unknown") ? 404 : 200, answer);
    }
}
