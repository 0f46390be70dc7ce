package io.beamline.worker.block.sandbox;

import io.beamline.worker.block.Block;
import io.beamline.worker.block.BlockRegistry;
import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ApprovalOutput;
import io.beamline.worker.contract.ErrorCode;
import io.beamline.worker.contract.FsDeleteJob;
import io.beamline.worker.contract.FsGetJob;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.HttpOutput;
import io.beamline.worker.contract.HttpRequestJob;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.SqlOutput;
import io.beamline.worker.contract.SqlQueryJob;
import io.beamline.worker.contract.StepResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Sandbox mode ({@code WORKER_SANDBOX_MODE=true}): deterministic stand-ins for every block type
 * that touch nothing outside the process. Each answers with the output shape of the real block,
 * derived only from the job, so Router tests and pipeline benchmarks get stable results.
 */
public final class SandboxBlocks {
    private SandboxBlocks() {
    }

    public static BlockRegistry registry(Clock clock) {
        return BlockRegistry.builder()
                .register(Job.HTTP_REQUEST, block(HttpRequestJob.class, SandboxBlocks::http))
                .register(Job.FS_PUT, block(FsPutJob.class, SandboxBlocks::fsPut))
                .register(Job.FS_GET, block(FsGetJob.class, SandboxBlocks::fsGet))
                .register(Job.FS_DELETE, block(FsDeleteJob.class,
                        (job, ctx) -> new FsOutput(job.path(), 0L, null, null, null, null, true)))
                .register(Job.SQL_QUERY, block(SqlQueryJob.class, SandboxBlocks::sql))
                .register(Job.HUMAN_APPROVAL, block(HumanApprovalJob.class,
                        (job, ctx) -> new ApprovalOutput(true, job.approvers().getFirst(), "approved by sandbox", clock.millis())))
                .build();
    }

    private static HttpOutput http(HttpRequestJob job, StepContext context) {
        String body = "{\"sandbox\":true,\"method\":\"" + job.method() + "\",\"url\":" + quote(job.url()) + "}";
        return HttpOutput.inline(200, body, Map.of("Content-Type", "application/json"), 0);
    }

    private static FsOutput fsPut(FsPutJob job, StepContext context) {
        long size = job.isBase64()
                ? Base64.getDecoder().decode(job.content()).length
                : job.content().getBytes(StandardCharsets.UTF_8).length;
        return FsOutput.of(job.path(), size, contentType(job.contentType()), null);
    }

    private static FsOutput fsGet(FsGetJob job, StepContext context) {
        String content = "sandbox content of " + job.path();
        return FsOutput.of(job.path(), content.getBytes(StandardCharsets.UTF_8).length, "text/plain", content);
    }

    private static SqlOutput sql(SqlQueryJob job, StepContext context) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("sandbox", true);
        List<Object> parameters = job.parameters() == null ? List.of() : job.parameters();
        for (int i = 0; i < parameters.size(); i++) {
            row.put("param_" + (i + 1), parameters.get(i));
        }
        return SqlOutput.of(List.of(row));
    }

    private static String contentType(String given) {
        return given == null ? "application/octet-stream" : given;
    }

    private static String quote(String text) {
        return io.beamline.worker.contract.Json.writeString(text);
    }

    private static <J extends Job> Block<J> block(Class<J> type, BiFunction<J, StepContext, Object> output) {
        return new Block<>() {
            @Override
            public Class<J> jobType() {
                return type;
            }

            /**
             * A stand-in answers in microseconds, so its own latency is 0 ms without reading the
             * clock twice per step (a twentieth of the pipeline this mode measures); the result's
             * latency_ms, measured by the executor around the whole step, still covers it.
             */
            @Override
            public StepResult execute(J job, StepContext context) {
                try {
                    return new StepResult.Succeeded(output.apply(job, context), 0);
                } catch (IllegalArgumentException e) {
                    // e.g. content_encoding base64 with content that is not base64
                    return StepResult.failed(ErrorCode.INVALID_INPUT, e.getMessage(), 0);
                }
            }
        };
    }
}
