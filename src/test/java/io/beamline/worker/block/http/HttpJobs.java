package io.beamline.worker.block.http;

import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.Executor;
import io.beamline.worker.contract.HttpRequestJob;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.StepResult;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds {@code http.request} jobs and their step context for tests. Not thread-safe. */
final class HttpJobs {
    static final String TENANT = "tenant-a";

    private String method = "GET";
    private final String url;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private String body;
    private Long timeoutMs;
    private String bodyFromPath;
    private String responseToPath;

    private HttpJobs(String url) {
        this.url = url;
    }

    static HttpJobs request(String url) {
        return new HttpJobs(url);
    }

    static StepContext context(HttpRequestJob job) {
        ExecAssignment assignment = new ExecAssignment("1", "assign-1", "req-1", TENANT, null, null, null, null,
                new Executor("test", null), null, null, null, job);
        return new StepContext(assignment, 1, "worker-test");
    }

    /** Runs this job on {@code block} as tenant {@link #TENANT}. */
    StepResult runOn(HttpBlock block) throws InterruptedException {
        HttpRequestJob job = build();
        return block.execute(job, context(job));
    }

    HttpJobs method(String value) {
        method = value;
        return this;
    }

    HttpJobs header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    HttpJobs body(String value) {
        body = value;
        return this;
    }

    HttpJobs timeoutMs(long value) {
        timeoutMs = value;
        return this;
    }

    HttpJobs bodyFromPath(String value) {
        bodyFromPath = value;
        return this;
    }

    HttpJobs responseToPath(String value) {
        responseToPath = value;
        return this;
    }

    HttpRequestJob build() {
        return new HttpRequestJob(Job.HTTP_REQUEST, method, url, headers.isEmpty() ? null : Map.copyOf(headers),
                body, timeoutMs, bodyFromPath, responseToPath);
    }
}
