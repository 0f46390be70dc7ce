package io.beamline.worker.block.http;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.ConfinedDirectory;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.block.TempFiles;
import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.HttpRequestJob;
import io.beamline.worker.contract.StepResult;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeoutException;

/**
 * The {@code http.request} block (SPEC §4.1). One shared {@link HttpClient} pools connections
 * for every step (HTTP/1.1, and HTTP/2 over TLS). The life of a call: validate the job and its
 * paths → check the destination policy (by name, then by resolved address) → send → read the
 * body as {@link BodyRouting} decides → map the outcome ({@link CallOutcomes}); with redirects
 * enabled, each hop repeats the policy check.
 *
 * <p>Timeouts: the job's {@code timeout_ms} (else {@code --http-timeout-ms}) bounds the whole
 * call, DNS, connect, headers and body, and ends it as {@code timeout} (5002). Only with
 * {@code CP2_COMPLETE_TIMEOUT_ENABLED} does the client get its own, shorter connect timeout,
 * reported as 3002; in the baseline the total budget covers connecting too.
 *
 * <p>Bodies: an inline response body is decoded as UTF-8 and limited to
 * {@code --http-max-response-bytes}; binary or large bodies belong in {@code response_to_path},
 * which streams them to the tenant's directory with constant memory.
 *
 * <p>Thread-safe: one instance serves all steps. The client holds no per-tenant state (no
 * cookie handler, no authenticator, no proxy), so sharing it leaks nothing between tenants.
 * Interrupting a step aborts its exchange and closes the connection.
 */
public final class HttpBlock implements Block<HttpRequestJob>, AutoCloseable {
    private final HttpConfig config;
    private final TenantPaths paths;
    private final Clock clock;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient client;
    private final DestinationGuard guard;
    /** Names and locks downloads' temporary files as the fs blocks do theirs, so one a crash leaves is swept. */
    private final TempFiles tempFiles = new TempFiles();

    public HttpBlock(HttpConfig config, TenantPaths paths) {
        this(config, paths, Clock.systemUTC());
    }

    HttpBlock(HttpConfig config, TenantPaths paths, Clock clock) {
        this.config = config;
        this.paths = paths;
        this.clock = clock;
        HttpClient.Builder builder = HttpClient.newBuilder()
                .executor(executor)
                .version(HttpClient.Version.HTTP_2)
                .followRedirects(HttpClient.Redirect.NEVER);  // Redirects follows by hand, hop by hop
        if (config.separateConnectTimeout()) {
            builder.connectTimeout(config.connectTimeout());
        }
        this.client = builder.build();
        this.guard = new DestinationGuard(config.destinations(), executor);
    }

    @Override
    public Class<HttpRequestJob> jobType() {
        return HttpRequestJob.class;
    }

    @Override
    public StepResult execute(HttpRequestJob job, StepContext context) throws InterruptedException {
        Deadline deadline = Deadline.after(job.timeout().map(Duration::ofMillis).orElse(config.defaultTimeout()));
        CallOutcomes outcomes = new CallOutcomes(job.url(), clock);
        Optional<FileBody> fileBody = Optional.empty();
        Optional<DownloadSubscriber> download = Optional.empty();
        try {
            RequestSpec spec;
            try {
                fileBody = openFileBody(job, context);
                spec = RequestSpec.of(job, fileBody.map(FileBody::publisher).orElseGet(() -> inlineBody(job)));
                spec.build(config.h2c());  // header errors surface here, before anything is sent
                download = openDownload(job, context);
            } catch (TenantPaths.PathRefusedException e) {
                return outcomes.failed(ErrorCode.PERMISSION_DENIED, e.getMessage());
            } catch (IllegalArgumentException e) {
                return outcomes.failed(ErrorCode.INVALID_INPUT, "invalid request: " + e.getMessage());
            } catch (IOException e) {
                return outcomes.failed(ErrorCode.EXECUTION_FAILED, e.getMessage());
            }
            return call(spec, download, deadline, outcomes, Optional.ofNullable(job.responseToPath()));
        } finally {
            download.ifPresent(DownloadSubscriber::close);
            fileBody.ifPresent(FileBody::close);
        }
    }

    private StepResult call(RequestSpec first, Optional<DownloadSubscriber> download, Deadline deadline,
                            CallOutcomes outcomes, Optional<String> bodyPath) throws InterruptedException {
        RequestSpec spec = first;
        try {
            for (int hop = 0; hop <= Redirects.MAX_HOPS; hop++) {
                Optional<String> refusal = guard.refusal(spec.uri(), deadline);
                if (refusal.isPresent()) {
                    return outcomes.refused(refusal.get());
                }
                HttpResponse<ResponseBody> response = deadline.await(
                        client.sendAsync(spec.build(config.h2c()), new BodyRouting(config, spec, download)));
                Optional<RequestSpec> next = config.followRedirects()
                        ? Redirects.next(spec, response.statusCode(), response.headers().firstValue("location"))
                        : Optional.empty();
                if (next.isEmpty()) {
                    return outcomes.response(response, bodyPath);
                }
                spec = next.get();
            }
            return outcomes.failed(ErrorCode.EXECUTION_FAILED, "more than " + Redirects.MAX_HOPS + " redirects");
        } catch (TimeoutException e) {
            return outcomes.timedOut(deadline.budget());
        } catch (IOException e) {
            return outcomes.failure(e);
        }
    }

    /** A {@code body_from_path} file, opened now; see {@link FileBody}. */
    private Optional<FileBody> openFileBody(HttpRequestJob job, StepContext context) throws IOException {
        if (job.bodyFromPath() == null) {
            return Optional.empty();
        }
        return Optional.of(FileBody.open(paths.locate(context.tenantId(), job.bodyFromPath()), job.bodyFromPath()));
    }

    private static BodyPublisher inlineBody(HttpRequestJob job) {
        return job.body() == null ? BodyPublishers.noBody() : BodyPublishers.ofString(job.body(), StandardCharsets.UTF_8);
    }

    private Optional<DownloadSubscriber> openDownload(HttpRequestJob job, StepContext context) throws IOException {
        if (job.responseToPath() == null) {
            return Optional.empty();
        }
        TenantPaths.Located located = paths.locate(context.tenantId(), job.responseToPath());
        // new directories are not fsynced: the download's rename is made durable, as before
        ConfinedDirectory directory = located.openEntryDirectoryCreating(parent -> { });
        try {
            boolean isDirectory = directory.attributes(located.entryName()).map(BasicFileAttributes::isDirectory).orElse(false);
            if (isDirectory) {
                throw new IOException("response_to_path \"" + job.responseToPath() + "\" is a directory");
            }
            return Optional.of(DownloadSubscriber.open(directory, located.entryName(), config.maxDownloadBytes(), tempFiles));
        } catch (IOException | RuntimeException e) {
            directory.close();
            throw e;
        }
    }

    /** Stops the client and its threads; in-flight calls fail. For worker shutdown. */
    @Override
    public void close() {
        client.shutdownNow();
        executor.shutdownNow();
    }
}
