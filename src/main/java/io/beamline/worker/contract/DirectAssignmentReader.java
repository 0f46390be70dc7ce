package io.beamline.worker.contract;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fast path of {@link AssignmentDecoder}: reads an assignment straight from the parser's
 * tokens into its records, without building a tree first (the tree was half of the decoder's
 * cost, and decoding a tenth of the worker's CPU per step). It answers only when it is sure the
 * tree-based decoder would produce the same valid assignment, and otherwise returns null so that
 * the tree-based decoder decides, with its precise messages: a field of an unexpected JSON type, a
 * repeated field, a value the value checks refuse, a number beyond a long, broken JSON, and every
 * {@code sql.query} and {@code human.approval} job all go that way. Unknown fields are skipped,
 * as the tree-based decoder ignores them. Stateless and thread-safe.
 */
final class DirectAssignmentReader {
    private static final JsonFactory FACTORY = Json.mapper().getFactory();

    private DirectAssignmentReader() {
    }

    /** The assignment, or null when the tree-based decoder must look at this message. */
    static ExecAssignment read(byte[] payload) {
        try (JsonParser parser = FACTORY.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ExecAssignment assignment = new Top().read(parser);
            return parser.nextToken() == null ? assignment : null;  // trailing content: the tree decides
        } catch (IOException | InvalidFieldException | Unsure e) {
            return null;
        }
    }

    /** Thrown wherever the tree-based decoder has to decide; no stack trace, it is not an error. */
    private static final class Unsure extends Exception {
        private static final Unsure INSTANCE = new Unsure();

        private Unsure() {
            super(null, null, false, false);
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

        ExecAssignment read(JsonParser parser) throws IOException, InvalidFieldException, Unsure {
            for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                JsonToken token = parser.nextToken();
                switch (name) {
                    case "version" -> version = seen.string(0, parser, token);
                    case "assignment_id" -> assignmentId = seen.string(1, parser, token);
                    case "request_id" -> requestId = seen.string(2, parser, token);
                    case "tenant_id" -> tenantId = seen.string(3, parser, token);
                    case "trace_id" -> traceId = seen.string(4, parser, token);
                    case "run_id" -> runId = seen.string(5, parser, token);
                    case "flow_id" -> flowId = seen.string(6, parser, token);
                    case "step_id" -> stepId = seen.string(7, parser, token);
                    case "resource_pool" -> resourcePool = seen.string(8, parser, token);
                    case "priority" -> priority = seen.integer(9, parser, token, Integer.MIN_VALUE, Integer.MAX_VALUE);
                    case "executor" -> executor = seen.object(10, token) ? executor(parser) : null;
                    case "retry_config" -> retryConfig = seen.object(11, token) ? retryConfig(parser) : null;
                    case "job" -> job = seen.object(12, token) ? new JobFields().read(parser) : null;
                    default -> parser.skipChildren();
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

    private static Executor executor(JsonParser parser) throws IOException, Unsure {
        Seen seen = new Seen();
        String providerId = null;
        String endpoint = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            JsonToken value = parser.nextToken();
            switch (name) {
                case "provider_id" -> providerId = seen.string(0, parser, value);
                case "endpoint" -> endpoint = seen.string(1, parser, value);
                default -> parser.skipChildren();
            }
        }
        return new Executor(id(required(providerId)), endpoint);
    }

    private static RetryConfig retryConfig(JsonParser parser)
            throws IOException, InvalidFieldException, Unsure {
        Seen seen = new Seen();
        Long maxAttempts = null;
        Long baseDelayMs = null;
        Long maxDelayMs = null;
        String jitter = null;
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            JsonToken value = parser.nextToken();
            switch (name) {
                case "max_attempts" -> maxAttempts = seen.integer(0, parser, value,
                        AssignmentDecoder.MIN_ATTEMPTS, AssignmentDecoder.MAX_ATTEMPTS);
                case "base_delay_ms" -> baseDelayMs = seen.integer(1, parser, value, 0, AssignmentDecoder.MAX_TIMEOUT_MS);
                case "max_delay_ms" -> maxDelayMs = seen.integer(2, parser, value, 0, AssignmentDecoder.MAX_TIMEOUT_MS);
                case "jitter" -> jitter = seen.string(3, parser, value);
                default -> parser.skipChildren();
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

        Job read(JsonParser parser) throws IOException, InvalidFieldException, Unsure {
            for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
                JsonToken value = parser.nextToken();
                switch (name) {
                    case "type" -> type = seen.string(0, parser, value);
                    case "timeout_ms" -> timeoutMs = seen.integer(1, parser, value, 1, AssignmentDecoder.MAX_TIMEOUT_MS);
                    case "method" -> method = seen.string(2, parser, value);
                    case "url" -> url = seen.string(3, parser, value);
                    case "headers" -> headers = seen.object(4, value) ? stringMap(parser) : null;
                    case "body" -> body = seen.string(5, parser, value);
                    case "body_from_path" -> bodyFromPath = seen.string(6, parser, value);
                    case "response_to_path" -> responseToPath = seen.string(7, parser, value);
                    case "path" -> path = seen.string(8, parser, value);
                    case "content" -> content = seen.string(9, parser, value);
                    case "content_type" -> contentType = seen.string(10, parser, value);
                    case "content_encoding" -> contentEncoding = seen.string(11, parser, value);
                    default -> parser.skipChildren();
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
        String string(int field, JsonParser parser, JsonToken token) throws IOException, Unsure {
            once(field);
            if (token == JsonToken.VALUE_STRING) {
                return parser.getText();
            }
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            throw Unsure.INSTANCE;
        }

        /** An integer within [min, max], or null for JSON null. */
        Long integer(int field, JsonParser parser, JsonToken token, long min, long max) throws IOException, Unsure {
            once(field);
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            if (token != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                throw Unsure.INSTANCE;
            }
            long value = parser.getLongValue();
            if (value < min || value > max) {
                throw Unsure.INSTANCE;
            }
            return value;
        }

        /** True when an object follows (read it next), false for JSON null (absent). */
        boolean object(int field, JsonToken token) throws Unsure {
            once(field);
            if (token == JsonToken.VALUE_NULL) {
                return false;
            }
            expectObject(token);
            return true;
        }
    }

    /** An object of string values, in their order. */
    private static Map<String, String> stringMap(JsonParser parser) throws IOException, Unsure {
        Map<String, String> map = new LinkedHashMap<>();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            if (parser.nextToken() != JsonToken.VALUE_STRING || map.put(name, parser.getText()) != null) {
                throw Unsure.INSTANCE;
            }
        }
        return map;
    }

    private static void expectObject(JsonToken token) throws Unsure {
        if (token != JsonToken.START_OBJECT) {
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
