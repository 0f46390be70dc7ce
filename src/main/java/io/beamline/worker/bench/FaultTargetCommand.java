package io.beamline.worker.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.beamline.worker.config.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code fault-target}: an HTTP server on 127.0.0.1 for http.request load whose behaviour a
 * chaos script switches while load runs. Every path answers 200 with a small JSON body, except
 * {@code /_fault?latency_ms=..&fail_percent=..&status=..}, which sets the mode (no parameters:
 * healthy again) and answers with it. Each request runs on its own virtual thread, so injected
 * latency holds no platform thread. Runs until killed.
 */
@Command(name = "fault-target", mixinStandardHelpOptions = true,
        description = "Serve HTTP on 127.0.0.1 with switchable latency and failures (GET /_fault?latency_ms=&fail_percent=&status=).")
public final class FaultTargetCommand implements Callable<Integer> {
    private static final byte[] BODY = "{\"ok\":true,\"from\":\"fault-target\"}".getBytes(StandardCharsets.UTF_8);

    @Option(names = "--port", paramLabel = "PORT", required = true, description = "Port on 127.0.0.1.")
    int port;

    private final AtomicReference<FaultMode> mode = new AtomicReference<>(FaultMode.HEALTHY);
    private final AtomicLong requests = new AtomicLong();

    @Override
    public Integer call() throws IOException, InterruptedException {
        HttpServer server = start();
        System.err.println("beamline-worker fault-target: listening on 127.0.0.1:" + server.getAddress().getPort());
        new CountDownLatch(1).await();  // until the process is killed
        return 0;
    }

    /** Starts serving on 127.0.0.1:{@code --port} (0 = any free port) and returns at once. */
    HttpServer start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/_fault", this::setMode);
        server.createContext("/", this::answer);
        server.start();
        return server;
    }

    private void setMode(HttpExchange exchange) throws IOException {
        try (exchange) {
            FaultMode next;
            try {
                next = FaultMode.parse(exchange.getRequestURI().getRawQuery());
            } catch (ConfigException e) {
                send(exchange, 400, (e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                return;
            }
            mode.set(next);
            System.err.println("beamline-worker fault-target: " + next.describe());
            send(exchange, 200, (next.describe() + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            FaultMode current = mode.get();
            if (current.latencyMs() > 0) {
                Thread.sleep(current.latencyMs());
            }
            boolean fails = current.fails(requests.getAndIncrement());
            send(exchange, fails ? current.failStatus() : 200, BODY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
