package io.beamline.worker.block.fs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Named pipes for tests: real filesystem objects whose reads block until someone writes. */
final class FifoFiles {
    private FifoFiles() {
    }

    static Path create(Path path) throws Exception {
        Process mkfifo = new ProcessBuilder("mkfifo", path.toString()).inheritIO().start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).as("mkfifo finished").isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo exit code").isZero();
        return path;
    }
}
