package io.beamline.worker.support;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code bin/beamline-worker} as a process, driven from outside exactly as an operator would:
 * arguments, environment, signals, exit code, stdout and stderr (kept in files for
 * inspection). Not thread-safe.
 */
public final class WorkerProcess implements AutoCloseable {
    /** Every worker started by this test JVM, killed when it exits: a failed test leaves no orphan. */
    private static final java.util.Set<Process> LIVE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final int healthPort;

    private WorkerProcess(Process process, Path stdout, Path stderr, int healthPort) {
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.healthPort = healthPort;
    }

    /** The project directory (where bin/ is), from the build or the working directory. */
    public static Path home() {
        return Path.of(System.getProperty("beamline.home", ".")).toAbsolutePath().normalize();
    }

    public static Builder builder(String... args) {
        return new Builder(List.of(args));
    }

    /**
     * Starts {@code serve} against {@code natsUrl} in sandbox mode with free ports, and waits until
     * healthy. The grace period at shutdown is 5 s unless {@code extraArgs} set it.
     */
    public static WorkerProcess serveSandbox(String natsUrl, Map<String, String> env, String... extraArgs) throws IOException {
        int health = NatsServer.freePort();
        List<String> args = new ArrayList<>(List.of("serve", "--nats-url", natsUrl, "--health-endpoint", "127.0.0.1:" + health,
                "--prometheus-endpoint", "127.0.0.1:" + NatsServer.freePort()));
        if (!List.of(extraArgs).contains("--shutdown-grace-ms")) {
            args.addAll(List.of("--shutdown-grace-ms", "5000"));
        }
        args.addAll(List.of(extraArgs));
        Map<String, String> environment = new HashMap<>(env);
        environment.putIfAbsent("WORKER_SANDBOX_MODE", "true");
        WorkerProcess worker = new Builder(args).env(environment).healthPort(health).start();
        worker.awaitHealthy(Duration.ofSeconds(60));
        return worker;
    }

    public Process process() {
        return process;
    }

    public int healthPort() {
        return healthPort;
    }

    public String stdout() throws IOException {
        return Files.readString(stdout, StandardCharsets.UTF_8);
    }

    public String stderr() throws IOException {
        return Files.readString(stderr, StandardCharsets.UTF_8);
    }

    /** GET on the health server; returns status code and body. */
    public HttpReply get(String path) throws IOException {
        return get(healthPort, path);
    }

    /** GET on another of the worker's servers (its {@code --prometheus-endpoint}) on 127.0.0.1. */
    public static HttpReply get(int port, String path) throws IOException {
        HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
        connection.setConnectTimeout(2000);
        connection.setReadTimeout(5000);
        int status = connection.getResponseCode();
        var stream = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
        String body = stream == null ? "" : new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        return new HttpReply(status, body);
    }

    /** A status code and body. */
    public record HttpReply(int status, String body) {
    }

    public void awaitHealthy(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("worker exited with " + process.exitValue() + ":\n" + stderr());
            }
            try {
                if (get("/_health").status() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            sleep(100);
        }
        throw new IOException("worker not healthy within " + timeout + ":\n" + stderr());
    }

    /** Sends SIGTERM and waits for the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        return waitFor(timeout);
    }

    public int waitFor(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("worker did not exit within " + timeout);
        }
        return process.exitValue();
    }

    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Collects the command line and environment of a worker process. */
    public static final class Builder {
        private final List<String> args;
        private final Map<String, String> env = new HashMap<>();
        private Path stdin;
        private Path jar;
        private int healthPort = -1;

        private Builder(List<String> args) {
            this.args = args;
        }

        public Builder env(Map<String, String> values) {
            env.putAll(values);
            return this;
        }

        public Builder stdin(Path file) {
            this.stdin = file;
            return this;
        }

        /** The port of {@code --health-endpoint}, for {@link #awaitHealthy}. */
        public Builder healthPort(int port) {
            this.healthPort = port;
            return this;
        }

        /** Runs {@code java -jar jar} (this JVM's java, {@code lib/} beside the jar) instead of the launcher. */
        public Builder jar(Path file) {
            this.jar = file;
            return this;
        }

        public WorkerProcess start() throws IOException {
            List<String> command = new ArrayList<>();
            if (jar == null) {
                command.add(home().resolve("bin/beamline-worker").toString());
            } else {
                command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString()));
            }
            command.addAll(args);
            Path out = Files.createTempFile("worker-stdout-", ".log");
            Path err = Files.createTempFile("worker-stderr-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(home().toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            builder.environment().keySet().removeIf(key -> key.startsWith("CP2_") || key.startsWith("WORKER_"));
            builder.environment().putAll(env);
            builder.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()) : ProcessBuilder.Redirect.from(stdin.toFile()));
            Process process = builder.start();
            LIVE.add(process);
            process.onExit().thenRun(() -> LIVE.remove(process));
            return new WorkerProcess(process, out, err, healthPort);
        }

        /** Runs to completion and returns the finished process. */
        public WorkerProcess run(Duration timeout) throws IOException, InterruptedException {
            WorkerProcess worker = start();
            worker.waitFor(timeout);
            return worker;
        }
    }
}
