package io.beamline.worker.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the bytes of one NATS message into a {@link Decoded}: a valid assignment, a rejection
 * (the id could be read, something else is wrong) or an unreadable message for the dead-letter
 * subject. Never throws on bad input. Stateless and thread-safe.
 *
 * <p>Reasons follow SPEC §2: a missing field is {@code missing_required_field} (1002), a field
 * of the wrong type or shape {@code invalid_format} (1003), a value outside what the worker
 * accepts {@code invalid_input} (1001), an unknown {@code job.type} {@code unsupported_block}.
 */
public final class AssignmentDecoder {
    private static final Set<String> HTTP_METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS");
    private static final Set<String> JITTERS = Set.of("none", "full", "equal");
    private static final Set<String> ON_TIMEOUT = Set.of("fail", "approve", "reject");
    static final long MAX_TIMEOUT_MS = 30L * 24 * 3600 * 1000;
    /** A human.approval's prompt: its notification (prompt and a link per approver) must fit one NATS message. */
    static final int MAX_PROMPT_CHARS = 64 * 1024;
    static final int MAX_APPROVERS = 100;
    /**
     * The longest approver name: an e-mail address's limit. With the prompt's limit it keeps the
     * notification (every approver twice, one link each) under a default NATS message; longer
     * names once made it unpublishable, and the approval waited for its deadline unannounced.
     */
    static final int MAX_APPROVER_CHARS = 254;
    static final int MIN_ATTEMPTS = 1;
    static final int MAX_ATTEMPTS = RetryConfig.MAX_ATTEMPTS;
    /** Recently seen tenant ids, one per slot by hash: see {@link #shared}. */
    private static final String[] TENANT_IDS = new String[1024];

    public Decoded decode(byte[] payload) {
        ExecAssignment direct = DirectAssignmentReader.read(payload);
        if (direct != null) {
            return new Decoded.Valid(direct);  // the common case, read without a tree
        }
        return decodeTree(payload);
    }

    /** The whole decoder, on a tree of the document: for everything the direct reader leaves to it. */
    Decoded decodeTree(byte[] payload) {
        if (!Utf8.isValid(payload)) {
            // Jackson decodes some malformed sequences (an overlong "/" as "/") instead of refusing them
            return new Decoded.Unreadable(ErrorCode.INVALID_FORMAT, "payload is not valid UTF-8", Optional.empty());
        }
        JsonNode root;
        try {
            root = Json.readTree(payload);
        } catch (IOException e) {
            return new Decoded.Unreadable(ErrorCode.INVALID_FORMAT, "payload is not valid JSON: " + firstLine(e), Optional.empty());
        }
        if (!root.isObject()) {
            return new Decoded.Unreadable(ErrorCode.INVALID_FORMAT,
                    "assignment must be a JSON object, got " + root.getNodeType().name().toLowerCase(), Optional.of(root));
        }
        // Without a usable id the rejection ack carries no assignment_id; the Router matches it
        // by request_id, as for every other required field that is missing (SPEC §2).
        JsonNode idNode = root.get("assignment_id");
        if (idNode == null || idNode.isNull()) {
            return new Decoded.Invalid(rejection(root, null, RejectReason.MISSING_REQUIRED_FIELD,
                    "missing required field assignment_id"), root);
        }
        if (idNode.isTextual() && !Fields.isFilled(idNode.textValue())) {
            // blank like any other required field: missing (1002), not malformed
            return new Decoded.Invalid(rejection(root, null, RejectReason.MISSING_REQUIRED_FIELD,
                    "assignment_id must not be empty"), root);
        }
        if (!idNode.isTextual() || !Fields.fitsIdLength(idNode.textValue())) {
            return new Decoded.Invalid(rejection(root, null, RejectReason.INVALID_FORMAT,
                    "assignment_id must be a string of at most " + Fields.MAX_ID_LENGTH + " characters of well-formed Unicode"), root);
        }
        try {
            return new Decoded.Valid(assignment(root));
        } catch (InvalidFieldException e) {
            return new Decoded.Invalid(rejection(root, e), root);
        }
    }

    /**
     * Tenant ids name a directory under the data dir, so they are restricted to a safe alphabet;
     * everything else about them is the Router's business. {@code [A-Za-z0-9][A-Za-z0-9._@-]{0,127}},
     * checked by hand: the same regular expression ran for every message (1.5 % of the profile).
     */
    static boolean validTenantId(String id) {
        int length = id.length();
        if (length == 0 || length > 128 || !isAsciiLetterOrDigit(id.charAt(0))) {
            return false;
        }
        for (int i = 1; i < length; i++) {
            char c = id.charAt(i);
            if (!isAsciiLetterOrDigit(c) && c != '.' && c != '_' && c != '@' && c != '-') {
                return false;
            }
        }
        return true;
    }

    /**
     * The one instance of a recently seen tenant id. A worker keeps a finished step's tenant id for
     * status queries; as a fresh string per message each of them outlived a young collection and
     * had to be copied, where the shared one is old already (and has its hash computed for the
     * quota and queue maps). Direct-mapped and bounded: many tenants only share less. Racy reads
     * are fine, strings being immutable.
     */
    static String shared(String tenantId) {
        int slot = tenantId.hashCode() & (TENANT_IDS.length - 1);
        String known = TENANT_IDS[slot];
        if (tenantId.equals(known)) {
            return known;
        }
        TENANT_IDS[slot] = tenantId;
        return tenantId;
    }

    private static boolean isAsciiLetterOrDigit(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static ExecAssignment assignment(JsonNode root) throws InvalidFieldException {
        Fields fields = new Fields(root, "");
        checkVersion(fields.requiredString("version"));
        String tenantId = tenant(fields.requiredId("tenant_id"));
        return new ExecAssignment(
                ExecAssignment.VERSION,
                fields.requiredId("assignment_id"),
                fields.requiredId("request_id"),
                tenantId,
                fields.optionalId("trace_id"),
                fields.optionalId("run_id"),
                fields.optionalId("flow_id"),
                fields.optionalId("step_id"),
                executor(fields.requiredObject("executor")),
                fields.optionalInt("priority", Integer.MIN_VALUE, Integer.MAX_VALUE),
                resourcePool(fields.optionalString("resource_pool")),
                retryConfig(fields.optionalObject("retry_config")),
                job(fields.requiredObject("job")));
    }

    // The checks below are of values, not of JSON shapes; DirectAssignmentReader runs them too.

    static void checkVersion(String version) throws InvalidFieldException {
        if (!ExecAssignment.VERSION.equals(version)) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT,
                    "unsupported version \"" + abbreviate(version) + "\", expected \"1\"");
        }
    }

    /** A valid tenant id, as the one shared instance of it. */
    static String tenant(String tenantId) throws InvalidFieldException {
        if (!validTenantId(tenantId)) {
            throw new InvalidFieldException(RejectReason.INVALID_FORMAT,
                    "tenant_id must be 1-128 characters of letters, digits, '.', '_', '@', '-' and start with a letter or digit");
        }
        return shared(tenantId);
    }

    private static Executor executor(JsonNode node) throws InvalidFieldException {
        Fields fields = new Fields(node, "executor.");
        return new Executor(fields.requiredId("provider_id"), fields.optionalString("endpoint"));
    }

    static ResourcePool resourcePool(String text) throws InvalidFieldException {
        if (text == null) {
            return null;
        }
        return ResourcePool.parse(text).orElseThrow(() -> new InvalidFieldException(
                RejectReason.INVALID_INPUT, "resource_pool must be cpu, gpu or io, got \"" + abbreviate(text) + "\""));
    }

    private static RetryConfig retryConfig(JsonNode node) throws InvalidFieldException {
        if (node == null) {
            return null;
        }
        Fields fields = new Fields(node, "retry_config.");
        String jitter = jitter(fields.optionalString("jitter"));
        return new RetryConfig(
                fields.optionalInt("max_attempts", MIN_ATTEMPTS, MAX_ATTEMPTS),
                fields.optionalLong("base_delay_ms", 0, MAX_TIMEOUT_MS),
                fields.optionalLong("max_delay_ms", 0, MAX_TIMEOUT_MS),
                jitter);
    }

    static String jitter(String jitter) throws InvalidFieldException {
        if (jitter != null && !JITTERS.contains(jitter)) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT, "retry_config.jitter must be none, full or equal");
        }
        return jitter;
    }

    private static Job job(JsonNode node) throws InvalidFieldException {
        Fields fields = new Fields(node, "job.");
        String type = fields.requiredString("type");
        String blockType = blockType(type);
        Long timeoutMs = fields.optionalLong("timeout_ms", 1, MAX_TIMEOUT_MS);
        return switch (blockType) {
            case Job.HTTP_REQUEST -> httpRequest(fields, type, timeoutMs);
            case Job.FS_PUT -> new FsPutJob(type, fields.requiredString("path"), content(fields.optionalString("content")),
                    fields.optionalString("content_type"), contentEncoding(fields.optionalString("content_encoding")), timeoutMs);
            case Job.FS_GET -> new FsGetJob(type, fields.requiredString("path"),
                    contentEncoding(fields.optionalString("content_encoding")), timeoutMs);
            case Job.FS_DELETE -> new FsDeleteJob(type, fields.requiredString("path"), timeoutMs);
            case Job.SQL_QUERY -> new SqlQueryJob(type, fields.requiredString("connection_string"),
                    fields.requiredString("query"), fields.optionalScalarList("parameters"),
                    fields.optionalInt("max_rows", 1, Integer.MAX_VALUE), timeoutMs);
            case Job.HUMAN_APPROVAL -> humanApproval(fields, type, timeoutMs);
            default -> throw new IllegalStateException("no decoder for block type " + blockType);
        };
    }

    /** The block type a wire {@code job.type} names (aliases included). */
    static String blockType(String type) throws InvalidFieldException {
        return Job.canonicalType(type).orElseThrow(() -> new InvalidFieldException(
                RejectReason.UNSUPPORTED_BLOCK, "unsupported block type \"" + abbreviate(type) + "\""));
    }

    private static HttpRequestJob httpRequest(Fields fields, String type, Long timeoutMs) throws InvalidFieldException {
        String method = httpMethod(fields.optionalString("method"));
        String url = httpUrl(fields.requiredString("url"));
        String body = fields.optionalString("body");
        String bodyFromPath = fields.optionalString("body_from_path");
        checkOneBody(body, bodyFromPath);
        return new HttpRequestJob(type, method, url, fields.optionalStringMap("headers"), body, timeoutMs,
                bodyFromPath, fields.optionalString("response_to_path"));
    }

    /** The method in upper case; GET when none is given. */
    static String httpMethod(String given) throws InvalidFieldException {
        String method = given == null ? "GET" : given.toUpperCase(java.util.Locale.ROOT);
        if (!HTTP_METHODS.contains(method)) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT, "job.method must be one of " + HTTP_METHODS);
        }
        return method;
    }

    static String httpUrl(String url) throws InvalidFieldException {
        // schemes are case-insensitive (RFC 3986 §3.1): HTTPS://host is an https URL
        if (!url.regionMatches(true, 0, "http://", 0, 7) && !url.regionMatches(true, 0, "https://", 0, 8)) {
            throw new InvalidFieldException(RejectReason.INVALID_FORMAT, "job.url must be an http:// or https:// URL");
        }
        return url;
    }

    static void checkOneBody(String body, String bodyFromPath) throws InvalidFieldException {
        if (body != null && bodyFromPath != null) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT, "job.body and job.body_from_path are mutually exclusive");
        }
    }

    private static HumanApprovalJob humanApproval(Fields fields, String type, Long timeoutMs) throws InvalidFieldException {
        String prompt = fields.requiredString("prompt");  // well-formed, as every string field (Fields)
        if (prompt.length() > MAX_PROMPT_CHARS) {
            // the notification carries it once per approver's link page and must fit one message
            throw new InvalidFieldException(RejectReason.INVALID_INPUT,
                    "job.prompt must be at most " + MAX_PROMPT_CHARS + " characters, got " + prompt.length());
        }
        var approvers = fields.optionalStringList("approvers");
        if (approvers == null || approvers.isEmpty()) {
            throw new InvalidFieldException(RejectReason.MISSING_REQUIRED_FIELD, "job.approvers must list at least one approver");
        }
        if (approvers.size() > MAX_APPROVERS) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT,
                    "job.approvers must list at most " + MAX_APPROVERS + " approvers, got " + approvers.size());
        }
        for (String approver : approvers) {
            if (!Fields.isFilled(approver) || approver.length() > MAX_APPROVER_CHARS) {
                // a blank approver could never decide; see MAX_APPROVER_CHARS for the length
                throw new InvalidFieldException(RejectReason.INVALID_INPUT,
                        "job.approvers must be names of 1 to " + MAX_APPROVER_CHARS + " characters of well-formed Unicode, not blank");
            }
        }
        Integer required = fields.optionalInt("required_approvals", 1, approvers.size());
        String onTimeout = fields.optionalString("on_timeout");
        if (onTimeout != null && !ON_TIMEOUT.contains(onTimeout)) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT, "job.on_timeout must be fail, approve or reject");
        }
        return new HumanApprovalJob(type, prompt, timeoutMs, approvers, required, onTimeout);
    }

    /** fs.put's content: required, but it may be empty (an empty file). */
    static String content(String content) throws InvalidFieldException {
        if (content == null) {
            throw new InvalidFieldException(RejectReason.MISSING_REQUIRED_FIELD, "missing required field job.content");
        }
        return content;
    }

    static String contentEncoding(String encoding) throws InvalidFieldException {
        if (encoding != null && !encoding.equals(FsPutJob.BASE64) && !encoding.equals("utf-8")) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT, "job.content_encoding must be utf-8 or base64");
        }
        return encoding;
    }

    /** The rejection for an invalid assignment, with whatever correlation ids are readable. */
    private static Rejection rejection(JsonNode root, InvalidFieldException e) {
        return rejection(root, root.get("assignment_id").textValue(), e.reason(), e.getMessage());
    }

    private static Rejection rejection(JsonNode root, String assignmentId, RejectReason reason, String message) {
        return new Rejection(assignmentId, readableId(root, "request_id"),
                readableId(root, "trace_id"), readableId(root, "tenant_id"), reason, message, null);
    }

    /** The text of {@code name} in {@code object} when it could be an id (a string of id length), else null. */
    static String readableId(JsonNode object, String name) {
        JsonNode node = object.get(name);
        return node != null && node.isTextual() && Fields.fitsIdLength(node.textValue()) ? node.textValue() : null;
    }

    private static String abbreviate(String text) {
        return text.length() <= 64 ? text : text.substring(0, 64) + "…";
    }

    private static String firstLine(IOException e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return abbreviate(newline < 0 ? message : message.substring(0, newline));
    }
}
