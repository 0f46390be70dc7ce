package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Optional;

/**
 * A validated step assignment from the Router (SPEC §2). Instances come from
 * {@link AssignmentDecoder}, so required fields are present and well-formed; optional ones are
 * null when absent. Immutable.
 */
public record ExecAssignment(
        String version,
        @JsonProperty("assignment_id") String assignmentId,
        @JsonProperty("request_id") String requestId,
        @JsonProperty("tenant_id") String tenantId,
        @JsonProperty("trace_id") String traceId,
        @JsonProperty("run_id") String runId,
        @JsonProperty("flow_id") String flowId,
        @JsonProperty("step_id") String stepId,
        Executor executor,
        Integer priority,
        @JsonProperty("resource_pool") ResourcePool resourcePool,
        @JsonProperty("retry_config") RetryConfig retryConfig,
        Job job) {

    public static final String VERSION = "1";

    /** The pool this step runs in: the one named, else its block's default. */
    @JsonIgnore
    public ResourcePool pool() {
        return resourcePool != null ? resourcePool : job.defaultPool();
    }

    @JsonIgnore
    public int priorityOrZero() {
        return priority == null ? 0 : priority;
    }

    @JsonIgnore
    public RetryConfig retry() {
        return retryConfig == null ? RetryConfig.DEFAULTS : retryConfig;
    }

    @JsonIgnore
    public Optional<String> trace() {
        return Optional.ofNullable(traceId);
    }

    /** A copy carrying a trace id, for assignments that arrived without one. */
    public ExecAssignment withTraceId(String newTraceId) {
        return new ExecAssignment(version, assignmentId, requestId, tenantId, newTraceId, runId,
                flowId, stepId, executor, priority, resourcePool, retryConfig, job);
    }
}
