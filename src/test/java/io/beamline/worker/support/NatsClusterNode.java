package io.beamline.worker.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One {@code nats-server} of a {@link NatsCluster}: its name, ports, configuration file, store
 * and process. The ports and the store stay the same across restarts, as on a real host.
 * Not thread-safe; driven by the test thread through {@link NatsCluster}.
 */
public final class NatsClusterNode {
    private final String name;
    private final int clientPort;
    private final int clusterPort;
    private final Path directory;
    private Process process;
    private boolean paused;

    NatsClusterNode(String name, int clientPort, int clusterPort, Path directory) {
        this.name = name;
        this.clientPort = clientPort;
        this.clusterPort = clusterPort;
        this.directory = directory;
    }

    public String name() {
        return name;
    }

    public String url() {
        return "nats://127.0.0.1:" + clientPort;
    }

    int clusterPort() {
        return clusterPort;
    }

    public Path logFile() {
        return directory.resolve("nats-server.log");
    }

    /**
     * The server configuration: client and cluster listeners on loopback, JetStream with its own
     * store, routes to every peer. {@code sync_interval} is left at the server default because
     * nats-server 2.9 does not know the option (docs/operations.md discusses it).
     */
    public String config(List<NatsClusterNode> peers) {
        String routes = peers.stream().filter(peer -> peer != this)
                .map(peer -> "nats-route://127.0.0.1:" + peer.clusterPort()).collect(Collectors.joining(", "));
        return """
                server_name: %s
                listen: 127.0.0.1:%d
                log_file: "%s"
                jetstream {
                  store_dir: "%s"
                }
                cluster {
                  name: beamline
                  listen: 127.0.0.1:%d
                  routes: [%s]
                }
                lame_duck_duration: "30s"
                lame_duck_grace_period: "5s"
                """.formatted(name, clientPort, logFile(), directory.resolve("store"), clusterPort, routes);
    }

    void writeConfig(List<NatsClusterNode> peers) throws IOException {
        Files.createDirectories(directory);
        Files.writeString(directory.resolve("nats-server.conf"), config(peers));
    }

    /** Starts the process and waits until it accepts client connections. */
    void launch() throws IOException {
        process = new ProcessBuilder(binary(), "-c", directory.resolve("nats-server.conf").toString())
                .redirectErrorStream(true).redirectOutput(directory.resolve("nats-server.out").toFile()).start();
        paused = false;
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with " + process.exitValue() + ": "
                        + Files.readString(directory.resolve("nats-server.out")));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", clientPort), 200);
                return;
            } catch (IOException notYet) {
                sleep(50);
            }
        }
        throw new IOException(name + " did not listen on " + clientPort + "; log: " + logFile());
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public boolean isPaused() {
        return paused;
    }

    public long pid() {
        return process.pid();
    }

    /** SIGKILL, as a crash or a power loss of the process would. */
    void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            process = null;
            paused = false;
        }
    }

    /** SIGTERM and wait; a paused server is continued first, or it could not act on the signal. */
    void stop() throws IOException, InterruptedException {
        if (process != null) {
            resume();
            process.destroy();
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    /** SIGSTOP: the process keeps its sockets open but answers nothing, like a hung host. */
    void pause() throws IOException, InterruptedException {
        signal("-STOP");
        paused = true;
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() throws IOException, InterruptedException {
        if (paused) {
            signal("-CONT");
            paused = false;
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill " + signal + " " + process.pid() + " failed");
        }
    }

    private static String binary() {
        for (String candidate : List.of("/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return "nats-server";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
