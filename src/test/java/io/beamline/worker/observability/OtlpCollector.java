package io.beamline.worker.observability;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A minimal OTLP/HTTP trace receiver for tests: accepts {@code POST /v1/traces}, keeps each
 * protobuf body as received, and answers 200 with an empty {@code ExportTraceServiceResponse}
 * (an empty protobuf message is zero bytes). It does not decode protobuf: tests look for the
 * span names and the raw 16-byte trace id in the bodies. Thread-safe.
 */
final class OtlpCollector implements AutoCloseable {
    private final HttpServer server;
    private final List<Export> exports = new CopyOnWriteArrayList<>();

    /** One request: its content type and body. */
    record Export(String contentType, byte[] body) {
    }

    private OtlpCollector(HttpServer server) {
        this.server = server;
    }

    static OtlpCollector start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        OtlpCollector collector = new OtlpCollector(server);
        server.createContext("/v1/traces", collector::receive);
        server.start();
        return collector;
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Export> exports() {
        return List.copyOf(exports);
    }

    /** Every body received, concatenated: enough to search for byte sequences. */
    byte[] allBytes() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        exports.forEach(export -> all.writeBytes(export.body()));
        return all.toByteArray();
    }

    private void receive(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            exports.add(new Export(exchange.getRequestHeaders().getFirst("Content-Type"), body.readAllBytes()));
            exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
