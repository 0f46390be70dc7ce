package io.beamline.worker.contract;

import io.beamline.worker.contract.PlainJson.Unsure;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fast path of {@link AssignmentDecoder}: reads an assignment straight from its bytes
 * ({@link PlainJson}) into its records, without Jackson's tree (the tree was half of the
 * decoder's cost, and decoding a tenth of the worker's CPU per step). It answers only when it is
 * sure the tree-based decoder would produce the same valid assignment, and otherwise returns null
 * so that the tree-based decoder decides, with its precise messages: a field of an unexpected JSON
 * type, a repeated field, a value the value checks refuse, a number beyond a long, JSON that
 * {@link PlainJson} does not read (non-ASCII text, broken or unusual JSON), and every
 * {@code sql.query} and {@code human.approval} job all go that way. Unknown fields are skipped,
 * as the tree-based decoder ignores them. Stateless and thread-safe.
 */
final class DirectAssignmentReader {
    /** Every field name the switches below read (another name still works, at a String per message). */
    private static final PlainJson.Names NAMES = PlainJson.names(
            "version", "assignment_id", "request_id", "tenant_id", "trace_id", "run_id", "flow_id", "step_id",
            "resource_pool", "priority", "executor", "retry_config", "job", "provider_id", "endpoint",
            "max_attempts", "base_delay_ms", "max_delay_ms", "jitter", "type", "timeout_ms", "method", "url",
            "headers", "body", "body_from_path", "response_to_path", "path", "content", "content_type",
            "content_encoding");

    private DirectAssignmentReader() {
    }

    /** The assignment, or null when the tree-based decoder must look at this message. */
    static ExecAssignment read(byte[] payload) {
        try {
            PlainJson json = new PlainJson(payload, NAMES);
            json.startDocument();
            ExecAssignment assignment = new Top().read(json);
            return json.atEnd() ? assignment : null;  // trailing content: the tree decides
        } catch (InvalidFieldException | Unsure e) {
            return null;
        }
    }

    /** Fields of the assignment object. Each may appear once; JSON null counts as absent. */
    private static final class Top {
        private final Seen seen = new Seen();
        private String version;
        private String assignmentId;
        private String requestId;
        private String tenantId;
        private String traceId;
        private String runId;
        private String flowId;
        private String stepId;
        private String resourcePool;
        private Long priority;
        private Executor executor;
        private RetryConfig retryConfig;
        private Job job;

        ExecAssignment read(PlainJson json) throws InvalidFieldException, Unsure {
            for (String name = json.nextFieldName(); name != null; name = json.nextFieldName()) {
                int token = json.nextToken();
                switch (name) {
                    case "version" -> version = seen.string(0, json, token);
                    case "assignment_id" -> assignmentId = seen.string(1, json, token);
                    case "request_id" -> requestId = seen.string(2, json, token);
                    case "tenant_id" -> tenantId = seen.string(3, json, token);
                    case "trace_id" -> traceId = seen.string(4, json, token);
                    case "run_id" -> runId = seen.string(5, json, token);
                    case "flow_id" -> flowId = seen.string(6, json, token);
                    case "step_id" -> stepId = seen.string(7, json, token);
                    case "resource_pool" -> resourcePool = seen.string(8, json, token);
                    case "priority" -> priority = seen.integer(9, json, token, Integer.MIN_VALUE, Integer.MAX_VALUE);
                    case "executor" -> executor = seen.object(10, token) ? executor(json) : null;
                    case "retry_config" -> retryConfig = seen.object(11, token) ? retryConfig(json) : null;
                    case "job" -> job = seen.object(12, token) ? new JobFields().read(json) : null;
                    default -> json.skipChildren(token);
                }
            }
            AssignmentDecoder.checkVersion(required(version));
            String tenant = AssignmentDecoder.tenant(id(required(tenantId)));
            return new ExecAssignment(ExecAssignment.VERSION, id(required(assignmentId)), id(required(requestId)), tenant,
                    id(traceId), id(runId), id(flowId), id(stepId), present(executor),
                    priority == null ? null : priority.intValue(), AssignmentDecoder.resourcePool(resourcePool), retryConfig,
                    present(job));
        }
    }

    private static Executor executor(PlainJson json) throws Unsure {
        Seen seen = new Seen();
        String providerId = null;
        String endpoint = null;
        for (String name = json.nextFieldName(); name != null; name = json.nextFieldName()) {
            int value = json.nextToken();
            switch (name) {
                case "provider_id" -> providerId = seen.string(0, json, value);
                case "endpoint" -> endpoint = seen.string(1, json, value);
                default -> json.skipChildren(value);
            }
        }
        return new Executor(id(required(providerId)), endpoint);
    }

    private static RetryConfig retryConfig(PlainJson json)
            throws InvalidFieldException, Unsure {
        Seen seen = new Seen();
        Long maxAttempts = null;
        Long baseDelayMs = null;
        Long maxDelayMs = null;
        String jitter = null;
        for (String name = json.nextFieldName(); name != null; name = json.nextFieldName()) {
            int value = json.nextToken();
            switch (name) {
                case "max_attempts" -> maxAttempts = seen.integer(0, json, value,
                        AssignmentDecoder.MIN_ATTEMPTS, AssignmentDecoder.MAX_ATTEMPTS);
                case "base_delay_ms" -> baseDelayMs = seen.integer(1, json, value, 0, AssignmentDecoder.MAX_TIMEOUT_MS);
                case "max_delay_ms" -> maxDelayMs = seen.integer(2, json, value, 0, AssignmentDecoder.MAX_TIMEOUT_MS);
                case "jitter" -> jitter = seen.string(3, json, value);
                default -> json.skipChildren(value);
            }
        }
        return new RetryConfig(maxAttempts == null ? null : maxAttempts.intValue(), baseDelayMs, maxDelayMs,
                AssignmentDecoder.jitter(jitter));
    }

    /** Fields of the job object, of the block types this path reads (HTTP and files). */
    private static final class JobFields {
        private final Seen seen = new Seen();
        private String type;
        private Long timeoutMs;
        private String method;
        private String url;
        private Map<String, String> headers;
        private String body;
        private String bodyFromPath;
        private String responseToPath;
        private String path;
        private String content;
        private String contentType;
        private String contentEncoding;

        Job read(PlainJson json) throws InvalidFieldException, Unsure {
            for (String name = json.nextFieldName(); name != null; name = json.nextFieldName()) {
                int value = json.nextToken();
                switch (name) {
                    case "type" -> type = seen.string(0, json, value);
                    case "timeout_ms" -> timeoutMs = seen.integer(1, json, value, 1, AssignmentDecoder.MAX_TIMEOUT_MS);
                    case "method" -> method = seen.string(2, json, value);
                    case "url" -> url = seen.string(3, json, value);
                    case "headers" -> headers = seen.object(4, value) ? stringMap(json) : null;
                    case "body" -> body = seen.string(5, json, value);
                    case "body_from_path" -> bodyFromPath = seen.string(6, json, value);
                    case "response_to_path" -> responseToPath = seen.string(7, json, value);
                    case "path" -> path = seen.string(8, json, value);
                    case "content" -> content = seen.string(9, json, value);
                    case "content_type" -> contentType = seen.string(10, json, value);
                    case "content_encoding" -> contentEncoding = seen.string(11, json, value);
                    default -> json.skipChildren(value);
                }
            }
            String blockType = AssignmentDecoder.blockType(required(type));
            return switch (blockType) {
                case Job.HTTP_REQUEST -> {
                    String checkedMethod = AssignmentDecoder.httpMethod(method);
                    String checkedUrl = AssignmentDecoder.httpUrl(required(url));
                    AssignmentDecoder.checkOneBody(body, bodyFromPath);
                    yield new HttpRequestJob(type, checkedMethod, checkedUrl, headers, body, timeoutMs, bodyFromPath, responseToPath);
                }
                case Job.FS_PUT -> new FsPutJob(type, required(path), AssignmentDecoder.content(content), contentType,
                        AssignmentDecoder.contentEncoding(contentEncoding), timeoutMs);
                case Job.FS_GET -> new FsGetJob(type, required(path), AssignmentDecoder.contentEncoding(contentEncoding), timeoutMs);
                case Job.FS_DELETE -> new FsDeleteJob(type, required(path), timeoutMs);
                default -> throw Unsure.INSTANCE;  // sql.query, human.approval: the tree-based decoder reads them
            };
        }
    }

    /**
     * Which fields of one object were met, reading each one's value: a field that comes twice
     * sends the message to the tree-based decoder (which would keep the last one).
     */
    private static final class Seen {
        private int bits;

        private void once(int field) throws Unsure {
            int bit = 1 << field;
            if ((bits & bit) != 0) {
                throw Unsure.INSTANCE;
            }
            bits |= bit;
        }

        /** A string value, or null for JSON null. */
        String string(int field, PlainJson json, int token) throws Unsure {
            once(field);
            if (token == PlainJson.STRING) {
                return json.text();
            }
            if (token == PlainJson.NULL) {
                return null;
            }
            throw Unsure.INSTANCE;
        }

        /** An integer within [min, max], or null for JSON null. */
        Long integer(int field, PlainJson json, int token, long min, long max) throws Unsure {
            once(field);
            if (token == PlainJson.NULL) {
                return null;
            }
            if (token != PlainJson.INTEGER) {
                throw Unsure.INSTANCE;
            }
            long value = json.integer();
            if (value < min || value > max) {
                throw Unsure.INSTANCE;
            }
            return value;
        }

        /** True when an object follows (read it next), false for JSON null (absent). */
        boolean object(int field, int token) throws Unsure {
            once(field);
            if (token == PlainJson.NULL) {
                return false;
            }
            expectObject(token);
            return true;
        }
    }

    /** An object of string values, in their order. */
    private static Map<String, String> stringMap(PlainJson json) throws Unsure {
        Map<String, String> map = new LinkedHashMap<>();
        for (String name = json.nextFieldName(); name != null; name = json.nextFieldName()) {
            if (json.nextToken() != PlainJson.STRING || map.put(name, json.text()) != null) {
                throw Unsure.INSTANCE;
            }
        }
        return map;
    }

    private static void expectObject(int token) throws Unsure {
        if (token != PlainJson.START_OBJECT) {
            throw Unsure.INSTANCE;
        }
    }

    /** A required string: present and not blank ({@link Fields}' rule). */
    private static String required(String value) throws Unsure {
        if (value == null || !Fields.isFilled(value)) {
            throw Unsure.INSTANCE;
        }
        return value;
    }

    private static <T> T present(T value) throws Unsure {
        if (value == null) {
            throw Unsure.INSTANCE;
        }
        return value;
    }

    /** An identifier's length limit, {@link Fields}' rule (absent is fine here; required ones pass through {@link #required}). */
    private static String id(String value) throws Unsure {
        if (value != null && !Fields.fitsIdLength(value)) {
            throw Unsure.INSTANCE;
        }
        return value;
    }
}
