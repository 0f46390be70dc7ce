package io.beamline.worker.block.fs;

import static io.beamline.worker.block.fs.FsJobs.TENANT;
import static io.beamline.worker.block.fs.FsJobs.context;
import static io.beamline.worker.block.fs.FsJobs.delete;
import static io.beamline.worker.block.fs.FsJobs.get;
import static io.beamline.worker.block.fs.FsJobs.output;
import static io.beamline.worker.block.fs.FsJobs.putBytes;
import static io.beamline.worker.block.fs.FsJobs.putText;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.TempFiles;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Time limits and interrupts (SPEC §5, CP2_COMPLETE_TIMEOUT_ENABLED). A stalled read is made
 * with a FIFO that has a writer who never writes: the read blocks in the kernel like a read from
 * a hung disk. Those reads run on a platform thread: the JDK releases a platform thread blocked
 * in file IO when its channel is closed or it is interrupted, but not a virtual thread (the
 * closer would wait for the read forever), which is why {@code fs.get} refuses FIFOs before
 * opening them. Bounds are generous; nothing here measures speed.
 */
class FsTimeoutTest {
    private static final Duration BOUND = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;
    ScheduledThreadPoolExecutor scheduler;

    @BeforeEach
    void createScheduler() {
        scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
    }

    @AfterEach
    void stopScheduler() {
        scheduler.shutdownNow();
    }

    @Test
    void readStalledOnAFifoEndsAsTimedOut() throws Exception {
        Path fifo = FifoFiles.create(dataDir.resolve("stalled"));
        // READ+WRITE: on Linux opening a FIFO this way does not wait for a writer, and makes us the writer that never writes
        try (FileChannel channel = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            CompletableFuture<StepResult> outcome = onPlatformThread(() -> {
                long started = System.nanoTime();
                try (OperationDeadline deadline = OperationDeadline.start("read", Duration.ofMillis(100), scheduler)) {
                    deadline.watch(channel);
                    try {
                        FileContent.read(channel, 1024, 0, deadline);
                        throw new AssertionError("the read of a FIFO nobody writes to returned");
                    } catch (IOException e) {
                        return FsOutcomes.ioFailure(e, "read", "stalled", deadline, started);
                    }
                }
            });

            StepResult result = outcome.get(BOUND.toSeconds(), TimeUnit.SECONDS);

            assertThat(result).isInstanceOf(StepResult.TimedOut.class);
            assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
            assertThat(result.error().orElseThrow().details()).containsEntry("timeout_ms", 100L).containsEntry("path", "stalled");
            assertThat(channel.isOpen()).as("the timer closed the channel").isFalse();
        }
    }

    @Test
    void withTimeoutsOffAnInterruptStopsAStalledReadWithInterruptedException() throws Exception {
        Path fifo = FifoFiles.create(dataDir.resolve("stalled"));
        try (FileChannel channel = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            CompletableFuture<Thread> reader = new CompletableFuture<>();
            CompletableFuture<StepResult> outcome = onPlatformThread(() -> {
                reader.complete(Thread.currentThread());
                OperationDeadline unlimited = OperationDeadline.unlimited();
                try {
                    FileContent.read(channel, 1024, 0, unlimited);
                    throw new AssertionError("the read of a FIFO nobody writes to returned");
                } catch (IOException e) {
                    return FsOutcomes.ioFailure(e, "read", "stalled", unlimited, System.nanoTime());
                }
            });
            Thread thread = reader.get(BOUND.toSeconds(), TimeUnit.SECONDS);
            await().atMost(BOUND).until(() -> isReadingFromAFileChannel(thread));

            thread.interrupt();

            assertThat(outcome).failsWithin(BOUND).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOf(InterruptedException.class);
        }
    }

    @Test
    void getThatRunsOutOfTimeEndsAsTimedOut() throws Exception {
        byte[] bytes = new byte[32 * 1024 * 1024];
        new Random(3).nextBytes(bytes);
        Files.write(Files.createDirectories(dataDir.resolve(TENANT)).resolve("big.bin"), bytes);
        FsConfig config = FsConfig.defaults(true).withTimeouts(Duration.ofMillis(1), Duration.ofSeconds(10), Duration.ofSeconds(3));

        try (FsBlocks blocks = FsBlocks.create(config, new TenantPaths(dataDir))) {
            StepResult result = onVirtualThread(() -> blocks.get().execute(get("big.bin"), context(TENANT)))
                    .get(BOUND.toSeconds(), TimeUnit.SECONDS);

            assertThat(result).isInstanceOf(StepResult.TimedOut.class);
            assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
            assertThat(result.error().orElseThrow().retryable()).isFalse();
            assertThat(result.latencyMs()).isLessThan(BOUND.toMillis());
        }
    }

    @Test
    void putThatRunsOutOfTimeChangesNothingAndLeavesNoTempFile() throws Exception {
        FsConfig config = FsConfig.defaults(true).withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(1), Duration.ofSeconds(3));
        try (FsBlocks generous = FsBlocks.create(FsConfig.defaults(false), new TenantPaths(dataDir));
                FsBlocks hurried = FsBlocks.create(config, new TenantPaths(dataDir))) {
            output(generous.put().execute(putText("target.txt", "old content"), context(TENANT)));
            byte[] bytes = new byte[32 * 1024 * 1024];
            new Random(5).nextBytes(bytes);

            StepResult result = onVirtualThread(() -> hurried.put().execute(putBytes("target.txt", bytes), context(TENANT)))
                    .get(BOUND.toSeconds(), TimeUnit.SECONDS);

            assertThat(result).isInstanceOf(StepResult.TimedOut.class);
            assertThat(result.error().orElseThrow().code()).isEqualTo(ErrorCode.CANCELLED_BY_TIMEOUT);
            assertThat(dataDir.resolve(TENANT).resolve("target.txt")).hasContent("old content");
            assertThat(tempFiles()).isEmpty();
        }
    }

    @Test
    void pendingInterruptStopsAPutBeforeItTouchesTheDisk() {
        try (FsBlocks blocks = FsBlocks.create(FsConfig.defaults(false), new TenantPaths(dataDir))) {
            Thread.currentThread().interrupt();

            assertThatThrownBy(() -> blocks.put().execute(putText("x.txt", "text"), context(TENANT)))
                    .isInstanceOf(InterruptedException.class);
            assertThat(Thread.interrupted()).as("interrupt status is consumed by the exception").isFalse();
            assertThat(dataDir).isEmptyDirectory();
        }
    }

    @Test
    void interruptedWriteDeletesItsTempFile() throws Exception {
        AtomicWrite write = new AtomicWrite(new TempFiles());
        Path target = dataDir.resolve("target.bin");
        try (ConfinedDirectory directory = ConfinedDirectory.open(dataDir, Path.of(""))) {
            Thread.currentThread().interrupt();

            assertThatThrownBy(() -> write.replace(directory, target.getFileName(), new byte[1024 * 1024], OperationDeadline.unlimited()))
                    .isInstanceOf(ClosedByInterruptException.class);
            Thread.interrupted();
        }

        assertThat(target).doesNotExist();
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void finishedOperationsLeaveNoTimerBehind() throws Exception {
        try (FsBlocks blocks = FsBlocks.create(FsConfig.defaults(true), new TenantPaths(dataDir), scheduler)) {
            for (int i = 0; i < 20; i++) {
                output(blocks.put().execute(putText("f" + i + ".txt", "content " + i), context(TENANT)));
                output(blocks.get().execute(get("f" + i + ".txt"), context(TENANT)));
                output(blocks.delete().execute(delete("f" + i + ".txt"), context(TENANT)));
            }

            assertThat(scheduler.getQueue()).as("pending deadline timers").isEmpty();
        }
    }

    @Test
    void channelWatchedAfterTheDeadlinePassedIsClosedAtOnce() throws Exception {
        Path file = Files.writeString(dataDir.resolve("file.txt"), "text");
        OperationDeadline deadline = OperationDeadline.start("read", Duration.ofMillis(1), scheduler);
        await().atMost(BOUND).until(deadline::expired);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            await().atMost(BOUND).until(() -> scheduler.getCompletedTaskCount() == 1);

            deadline.watch(channel);

            assertThat(channel.isOpen()).isFalse();
            assertThatThrownBy(deadline::check).isInstanceOf(OperationDeadline.OperationTimeoutException.class);
        }
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> entries = Files.walk(dataDir)) {
            return entries.filter(p -> p.getFileName().toString().startsWith(TempFiles.PREFIX)).toList();
        }
    }

    private static boolean isReadingFromAFileChannel(Thread thread) {
        return Arrays.stream(thread.getStackTrace())
                .anyMatch(frame -> frame.getClassName().endsWith("FileChannelImpl") && frame.getMethodName().equals("read"));
    }

    /** Blocks run on virtual threads in the worker. */
    private static <T> CompletableFuture<T> onVirtualThread(ThrowingSupplier<T> task) {
        return runOn(Thread.ofVirtual(), task);
    }

    private static <T> CompletableFuture<T> onPlatformThread(ThrowingSupplier<T> task) {
        return runOn(Thread.ofPlatform().daemon(), task);
    }

    private static <T> CompletableFuture<T> runOn(Thread.Builder builder, ThrowingSupplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        builder.start(() -> {
            try {
                result.complete(task.get());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    @FunctionalInterface
    private interface ThrowingSupplier<T> {
        T get() throws Exception;
    }
}
