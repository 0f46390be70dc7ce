package io.beamline.worker.bench;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the load generator's assignment messages as bytes: everything but the id is encoded
 * once per (block type, tenant), so a message costs two array copies. Ids are
 * {@code <prefix><sequence>}; the replies are matched back by {@link JsonScan#sequence}.
 * Messages are padded with an ignored field ({@code bench_padding}; unknown fields are ignored
 * by the worker) to about {@code payloadBytes}. Immutable and thread-safe.
 */
final class AssignmentFactory {
    static final String PROVIDER = "bench";
    /** The file fs.get reads; bench/run creates it under every tenant's directory. */
    static final String FS_GET_PATH = "/bench/small.txt";
    private static final byte[] HEAD = utf8("{\"version\":\"1\",\"assignment_id\":\"");
    private static final byte[] BETWEEN_IDS = utf8("\",\"request_id\":\"");

    private final byte[] idPrefix;
    private final int tenants;
    /** For each position of the mix's cycle, the index of its type in {@code tails}. */
    private final int[] typeAt;
    /** [type index in mix.types()][tenant]: from the closing quote of request_id to the end. */
    private final byte[][][] tails;
    private final String httpUrl;

    AssignmentFactory(String idPrefix, JobMix mix, int tenants, int payloadBytes) {
        this(idPrefix, mix, tenants, payloadBytes, LoadgenConfig.DEFAULT_HTTP_URL);
    }

    /** As above; http.request assignments GET {@code httpUrl} (JSON-safe: no quotes or backslashes). */
    AssignmentFactory(String idPrefix, JobMix mix, int tenants, int payloadBytes, String httpUrl) {
        this.httpUrl = httpUrl;
        this.idPrefix = utf8(idPrefix);
        this.tenants = tenants;
        List<String> types = mix.types();
        this.typeAt = mix.cycle().stream().mapToInt(types::indexOf).toArray();
        this.tails = new byte[types.size()][tenants][];
        for (int t = 0; t < types.size(); t++) {
            for (int tenant = 0; tenant < tenants; tenant++) {
                tails[t][tenant] = tail(types.get(t), tenant, payloadBytes);
            }
        }
    }

    static String tenant(int index) {
        return "bench-" + index;
    }

    byte[] idPrefix() {
        return idPrefix.clone();
    }

    /** The assignment with sequence number {@code seq}. */
    byte[] assignment(long seq) {
        byte[] id = id(seq);
        byte[] tail = tails[typeAt[(int) (seq % typeAt.length)]][tenantIndex(seq)];
        byte[] message = new byte[HEAD.length + 2 * id.length + BETWEEN_IDS.length + tail.length];
        int at = put(message, 0, HEAD);
        at = put(message, at, id);
        at = put(message, at, BETWEEN_IDS);
        at = put(message, at, id);
        put(message, at, tail);
        return message;
    }

    /** A cancel request for assignment {@code seq} (caf.exec.cancel.v1). */
    byte[] cancel(long seq) {
        return utf8("{\"assignment_id\":\"" + new String(id(seq), StandardCharsets.US_ASCII) + "\",\"tenant_id\":\""
                + tenant(tenantIndex(seq)) + "\",\"reason\":\"loadgen --cancel-fraction\"}");
    }

    private int tenantIndex(long seq) {
        return (int) (seq % tenants);
    }

    private byte[] id(long seq) {
        byte[] digits = Long.toString(seq).getBytes(StandardCharsets.US_ASCII);
        byte[] id = Arrays.copyOf(idPrefix, idPrefix.length + digits.length);
        System.arraycopy(digits, 0, id, idPrefix.length, digits.length);
        return id;
    }

    private byte[] tail(String type, int tenant, int payloadBytes) {
        String tail = "\",\"tenant_id\":\"" + tenant(tenant) + "\",\"executor\":{\"provider_id\":\"" + PROVIDER
                + "\"},\"job\":" + job(type);
        int typicalSize = HEAD.length + BETWEEN_IDS.length + 2 * (idPrefix.length + 6) + utf8(tail).length + 1;
        String padding = ",\"bench_padding\":\"";
        int pad = payloadBytes - typicalSize - padding.length() - 1;
        return utf8(tail + (pad > 0 ? padding + "x".repeat(pad) + "\"" : "") + "}");
    }

    private String job(String type) {
        return switch (type) {
            case "http.request" -> "{\"type\":\"http.request\",\"method\":\"GET\",\"url\":\"" + httpUrl + "\",\"timeout_ms\":5000}";
            case "fs.get" -> "{\"type\":\"fs.get\",\"path\":\"" + FS_GET_PATH + "\"}";
            case "fs.put" -> "{\"type\":\"fs.put\",\"path\":\"/bench/out.txt\",\"content\":\"loadgen\",\"content_type\":\"text/plain\"}";
            case "fs.delete" -> "{\"type\":\"fs.delete\",\"path\":\"/bench/out.txt\"}";
            case "sql.query" -> "{\"type\":\"sql.query\",\"connection_string\":\"sqlite://bench.sqlite\",\"query\":\"SELECT ? AS n\",\"parameters\":[1]}";
            case "human.approval" -> "{\"type\":\"human.approval\",\"prompt\":\"loadgen\",\"approvers\":[\"bench@example.com\"],\"timeout_ms\":60000}";
            default -> throw new IllegalArgumentException("no template for block type " + type);
        };
    }

    private static int put(byte[] into, int at, byte[] bytes) {
        System.arraycopy(bytes, 0, into, at, bytes.length);
        return at + bytes.length;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
