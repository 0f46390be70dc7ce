package io.beamline.worker.block.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.time.Duration;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;

/**
 * How operating-system failures become step results. The tests run as root, for whom the OS
 * denies nothing, and a full disk cannot be made without privileges; so these failures are
 * given here as the exceptions the JDK throws for them.
 */
class FsOutcomesTest {
    private static final String ABSOLUTE = "/var/lib/worker/data/tenant-a/x.txt";

    @Test
    void accessDeniedByTheOperatingSystemIsPermissionDenied() throws Exception {
        StepResult result = FsOutcomes.ioFailure(new AccessDeniedException(ABSOLUTE), "write", "x.txt",
                OperationDeadline.unlimited(), System.nanoTime());

        ExecError error = result.error().orElseThrow();
        assertThat(result).isInstanceOf(StepResult.Failed.class);
        assertThat(error.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(error.details()).containsEntry("path", "x.txt");
        assertThat(error.message()).doesNotContain(ABSOLUTE);
    }

    @Test
    void fullDiskIsANonRetryableExecutionFailureThatNamesTheReason() throws Exception {
        StepResult result = FsOutcomes.ioFailure(new FileSystemException(ABSOLUTE, null, "No space left on device"),
                "write", "x.txt", OperationDeadline.unlimited(), System.nanoTime());

        ExecError error = result.error().orElseThrow();
        assertThat(error.code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(error.retryable()).isFalse();
        assertThat(error.message()).isEqualTo("write of \"x.txt\" failed: No space left on device");
        assertThat(error.details()).containsEntry("reason", "No space left on device");
    }

    @Test
    void closedChannelAfterTheDeadlineIsATimeout() throws Exception {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        try (OperationDeadline deadline = OperationDeadline.start("read", Duration.ofNanos(1), scheduler)) {
            await().until(deadline::expired);

            StepResult result = FsOutcomes.ioFailure(new ClosedChannelException(), "read", "x.txt", deadline, System.nanoTime());

            assertThat(result).isInstanceOf(StepResult.TimedOut.class);
            assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void closedChannelWithoutADeadlineIsAnExecutionFailure() throws Exception {
        StepResult result = FsOutcomes.ioFailure(new ClosedChannelException(), "read", "x.txt",
                OperationDeadline.unlimited(), System.nanoTime());

        assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.EXECUTION_FAILED);
        assertThat(result.error().orElseThrow().message()).endsWith("ClosedChannelException");
    }

    @Test
    void interruptIsRethrownAndItsStatusConsumed() {
        Thread.currentThread().interrupt();  // as ClosedByInterruptException leaves it

        assertThatThrownBy(() -> FsOutcomes.ioFailure(new ClosedByInterruptException(), "read", "x.txt",
                OperationDeadline.unlimited(), System.nanoTime()))
                .isInstanceOf(InterruptedException.class)
                .hasCauseInstanceOf(ClosedByInterruptException.class);
        assertThat(Thread.interrupted()).isFalse();
    }

    @Test
    void otherFailuresKeepTheirMessage() throws Exception {
        StepResult result = FsOutcomes.ioFailure(new IOException("Input/output error"), "read", "x.txt",
                OperationDeadline.unlimited(), System.nanoTime());

        assertThat(result.error().orElseThrow().message()).isEqualTo("read of \"x.txt\" failed: Input/output error");
    }
}
