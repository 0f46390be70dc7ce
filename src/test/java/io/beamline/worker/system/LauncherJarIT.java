package io.beamline.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.support.WorkerProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher runs a copy of the built jar that no later build writes over (bin/lib/common.sh
 * {@code runnable_jar}): Maven writes target/beamline-worker.jar in place, and a worker running
 * that very file lost its classes to the next build. Driven through bash, on a scratch home.
 */
class LauncherJarIT {
    @TempDir
    Path home;

    @Test
    void eachBuildGetsItsOwnCopyAndAnOlderCopyIsUnlinkedNotWrittenOver() throws Exception {
        Path built = home.resolve("target/beamline-worker.jar");
        Files.createDirectories(built.getParent());
        Files.writeString(built, "first build");

        Path first = Path.of(runnableJar());
        assertThat(first).isNotEqualTo(built).hasParent(built.getParent()).hasContent("first build");
        assertThat(Path.of(runnableJar())).as("the same build, the same copy").isEqualTo(first);

        try (var running = Files.newInputStream(first)) {  // a worker holds its jar open
            Files.writeString(built, "second build, longer");  // Maven writes in place

            Path second = Path.of(runnableJar());

            assertThat(second).isNotEqualTo(first).hasContent("second build, longer");
            assertThat(first).as("the older copy is unlinked").doesNotExist();
            assertThat(new String(running.readAllBytes(), StandardCharsets.UTF_8))
                    .as("what the running worker reads is still its own build").isEqualTo("first build");
        }
    }

    private String runnableJar() throws IOException, InterruptedException {
        Path common = WorkerProcess.home().resolve("bin/lib/common.sh");
        ProcessBuilder builder = new ProcessBuilder(List.of("bash", "-c", "source \"$1\" && runnable_jar", "bash", common.toString()))
                .redirectErrorStream(true);
        builder.environment().put("BEAMLINE_HOME", home.toString());
        Process bash = builder.start();
        bash.getOutputStream().close();
        String out = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue()).as(out).isZero();
        return out;
    }
}
