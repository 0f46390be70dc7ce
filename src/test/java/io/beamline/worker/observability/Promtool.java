package io.beamline.worker.observability;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus' own {@code promtool} (Debian package {@code prometheus}), run as a process: the
 * judge of our exposition, rules and rule tests. A missing promtool fails the test with what to
 * install, never skips it. Stateless.
 */
final class Promtool {
    /** {@code promtool check metrics}: 1 when the input cannot be parsed, 3 when it only has lint problems. */
    static final int LINT_PROBLEMS = 3;

    private Promtool() {
    }

    /** The exit code and everything promtool printed (stdout then stderr). */
    record Result(int exitCode, String output) {
    }

    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(binary().toString());
        command.addAll(List.of(args));
        Path output = Files.createTempFile("promtool-", ".out");
        Process process = new ProcessBuilder(command).directory(Path.of(System.getProperty("beamline.home", ".")).toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("promtool " + String.join(" ", args) + " did not finish within 120 s");
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        Files.delete(output);
        return new Result(process.exitValue(), printed);
    }

    static Path binary() {
        for (String candidate : List.of("/usr/bin/promtool", "/usr/local/bin/promtool", "/opt/prometheus/promtool")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "promtool"))) {
                return Path.of(dir, "promtool");
            }
        }
        throw new AssertionError("promtool is not installed, and these tests need it to validate the exposition and the alert "
                + "rules: install Debian's prometheus package (apt-get install prometheus), as bin/test does");
    }
}
