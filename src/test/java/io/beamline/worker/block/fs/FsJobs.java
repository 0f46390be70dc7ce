package io.beamline.worker.block.fs;

import static org.assertj.core.api.Assertions.assertThat;

import io.beamline.worker.block.StepContext;
import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.ExecError;
import io.beamline.worker.contract.Executor;
import io.beamline.worker.contract.FsDeleteJob;
import io.beamline.worker.contract.FsGetJob;
import io.beamline.worker.contract.FsOutput;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.Job;
import io.beamline.worker.contract.StepResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;

/** Jobs, contexts and result accessors for the fs block tests. */
final class FsJobs {
    static final String TENANT = "tenant-a";
    static final String OTHER_TENANT = "tenant-b";

    private FsJobs() {
    }

    static StepContext context(String tenantId) {
        ExecAssignment assignment = new ExecAssignment("1", "assignment-1", "request-1", tenantId, null, null, null,
                null, new Executor("test", null), null, null, null, new FsGetJob(Job.FS_GET, "unused", null, null));
        return new StepContext(assignment, 1, "worker-test");
    }

    static FsPutJob putText(String path, String content) {
        return new FsPutJob(Job.FS_PUT, path, content, null, null, null);
    }

    static FsPutJob putBytes(String path, byte[] content) {
        return new FsPutJob("fs.blob_put", path, Base64.getEncoder().encodeToString(content), null, FsPutJob.BASE64, null);
    }

    static FsGetJob get(String path) {
        return new FsGetJob(Job.FS_GET, path, null, null);
    }

    static FsGetJob getBase64(String path) {
        return new FsGetJob("fs.blob_get", path, FsPutJob.BASE64, null);
    }

    static FsDeleteJob delete(String path) {
        return new FsDeleteJob(Job.FS_DELETE, path, null);
    }

    static FsOutput output(StepResult result) {
        assertThat(result).as("step result").isInstanceOf(StepResult.Succeeded.class);
        return (FsOutput) ((StepResult.Succeeded) result).output();
    }

    static ExecError failure(StepResult result) {
        assertThat(result).as("step result").isInstanceOf(StepResult.Failed.class);
        return ((StepResult.Failed) result).cause();
    }

    static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
