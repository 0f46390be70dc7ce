package io.beamline.worker.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's HTTP server (JDK {@code HttpServer}, one virtual thread per request): health,
 * the approval API and page, assignment status, and metrics when they share the address.
 * Handlers are mounted by path prefix before {@link #start}; a path no handler serves is answered
 * 404 {@code {"error", "reason": "not_found"}}. Requests the JDK server refuses before any handler
 * (a request line whose URI does not parse, {@code /approvals/%ZZ}) get its own plain 400.
 * Thread-safe after start.
 */
public final class HttpSurface implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("http");
    /** Request bodies above this are refused (413); no API here needs more. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;

    private final HttpServer server;

    public HttpSurface(InetSocketAddress address) throws IOException {
        this.server = HttpServer.create(address, 128);
        this.server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        // the longest mounted prefix wins, so this answers only what nothing else serves
        mount("/", HttpSurface::notFound);
    }

    public void mount(String pathPrefix, HttpHandler handler) {
        server.createContext(pathPrefix, exchange -> {
            try (exchange) {
                handler.handle(exchange);
            } catch (IOException | RuntimeException e) {
                log.warn("{} {} failed: {}", exchange.getRequestMethod(), exchange.getRequestURI(), e.toString());
                try {
                    sendJson(exchange, 500, new ErrorBody("internal error"));
                } catch (IOException | RuntimeException ignored) {
                    // the response may already be under way; nothing more to do
                }
            }
        });
    }

    public void start() {
        server.start();
        log.info("http server listening on {}", address());
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** A JSON error body: {@code {"error": "..."}}. */
    public record ErrorBody(String error) {
    }

    /** A JSON error body with a machine-readable reason: {@code {"error": "...", "reason": "..."}}. */
    public record Refusal(String error, String reason) {
    }

    /** The answer for a path nothing serves: 404 {@code {"error": "no such route", "reason": "not_found"}}. */
    public static void notFound(HttpExchange exchange) throws IOException {
        sendJson(exchange, 404, new Refusal("no such route", "not_found"));
    }

    public static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        send(exchange, status, "application/json", Json.write(body));
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    public static void sendText(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads a request body of at most {@link #MAX_REQUEST_BYTES}; null when it is larger. */
    public static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_REQUEST_BYTES + 1);
            return body.length > MAX_REQUEST_BYTES ? null : body;
        }
    }
}
