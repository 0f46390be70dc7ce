package io.beamline.worker.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code nats-server} process on a free loopback port, for tests. It can be stopped,
 * killed and restarted on the same port (with the same JetStream store when enabled), so tests
 * can exercise reconnection and durability. Not thread-safe; one per test class.
 */
public final class NatsServer implements AutoCloseable {
    private final int port;
    private final boolean jetStream;
    private final Path storeDir;
    private final Path logFile;
    private Process process;

    private NatsServer(int port, boolean jetStream) throws IOException {
        this.port = port;
        this.jetStream = jetStream;
        this.storeDir = Files.createTempDirectory("nats-store-");
        this.logFile = storeDir.resolve("nats-server.log");
    }

    public static NatsServer start() throws IOException {
        return start(false);
    }

    public static NatsServer start(boolean jetStream) throws IOException {
        NatsServer server = new NatsServer(freePort(), jetStream);
        server.launch();
        return server;
    }

    public String url() {
        return "nats://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server gracefully (SIGTERM) and waits for it to exit. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            process.waitFor(10, TimeUnit.SECONDS);
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Kills the server (SIGKILL), as a crash would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts the server again on the same port and store. */
    public void restart() throws IOException, InterruptedException {
        stop();
        launch();
    }

    public void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(binary(), "-a", "127.0.0.1", "-p", String.valueOf(port),
                "-l", logFile.toString()));
        if (jetStream) {
            command.addAll(List.of("-js", "-sd", storeDir.toString()));
        }
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        awaitListening(Duration.ofSeconds(10));
    }

    private void awaitListening(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("nats-server exited with " + process.exitValue() + "; log: " + logFile);
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IOException("nats-server did not listen on " + port + " within " + timeout);
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "nats-server";
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
