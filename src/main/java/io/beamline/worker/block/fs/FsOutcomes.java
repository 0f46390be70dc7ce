package io.beamline.worker.block.fs;

import io.beamline.worker.block.fs.OperationDeadline.OperationTimeoutException;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the {@code fs.*} blocks report what went wrong: every failure is a {@link StepResult}
 * naming the job's path in {@code details.path}. Messages carry the job's path and the
 * operating system's reason, never the absolute location under the data directory. Stateless.
 */
final class FsOutcomes {
    private FsOutcomes() {
    }

    static long elapsedMs(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    /** Honours an interrupt that arrived before the operation touched the disk. */
    static void stopIfInterrupted() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("file operation interrupted before it started");
        }
    }

    static StepResult succeeded(Object output, long startedNanos) {
        return new StepResult.Succeeded(output, elapsedMs(startedNanos));
    }

    static StepResult failed(ErrorCode code, String message, Map<String, Object> details, long startedNanos) {
        return new StepResult.Failed(ExecError.of(code, message, details), elapsedMs(startedNanos));
    }

    static StepResult refused(String path, String reason, long startedNanos) {
        return failed(ErrorCode.PERMISSION_DENIED, "path refused: " + reason, details(path), startedNanos);
    }

    /**
     * Maps an IO failure of {@code action} (e.g. "read") on {@code path}. An interrupt from
     * outside (cancellation, shutdown) is not a step failure: it is rethrown as
     * {@link InterruptedException} for the runtime to report.
     */
    static StepResult ioFailure(IOException e, String action, String path, OperationDeadline deadline, long startedNanos)
            throws InterruptedException {
        if (e instanceof ClosedByInterruptException) {
            Thread.interrupted();  // the interrupt is reported by the exception, as usual
            InterruptedException interrupted = new InterruptedException(action + " of \"" + path + "\" interrupted");
            interrupted.initCause(e);
            throw interrupted;
        }
        if (e instanceof OperationTimeoutException || (e instanceof ClosedChannelException && deadline.expired())) {
            Map<String, Object> details = details(path);
            details.put("timeout_ms", deadline.limit().toMillis());
            String message = action + " of \"" + path + "\" did not finish within " + deadline.limit().toMillis() + " ms";
            return new StepResult.TimedOut(ExecError.of(ErrorCode.CANCELLED_BY_TIMEOUT, message, details), elapsedMs(startedNanos));
        }
        if (e instanceof AccessDeniedException) {
            return failed(ErrorCode.PERMISSION_DENIED, "the operating system denied " + action + " access to \"" + path + "\"",
                    details(path), startedNanos);
        }
        if (e instanceof NoSuchFileException) {
            return failed(ErrorCode.EXECUTION_FAILED, "file not found: \"" + path + "\"", details(path), startedNanos);
        }
        Map<String, Object> details = details(path);
        String reason = reason(e);
        details.put("reason", reason);
        return failed(ErrorCode.EXECUTION_FAILED, action + " of \"" + path + "\" failed: " + reason, details, startedNanos);
    }

    /** The operating system's words, without the file's absolute path that its message would carry. */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException fse) {
            return fse.getReason() != null ? fse.getReason() : e.getClass().getSimpleName();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    static Map<String, Object> details(String path) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("path", path);
        return details;
    }
}
