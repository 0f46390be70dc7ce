package io.beamline.worker.contract;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The one JSON codec of the worker. Writing omits absent (null) fields; reading ignores unknown
 * fields (SPEC §2). Nesting depth is capped so hostile input cannot exhaust the stack.
 * Thread-safe: the mapper is configured once and shared.
 */
public final class Json {
    /**
     * Deeper documents are refused (dead-lettered as unreadable). Unknown fields are ignored,
     * never fatal (SPEC §2), so a Router's extra field nested 65 deep must not cost the
     * assignment, as the earlier cap of 64 did. Not Jackson's 1000: writing a document back
     * (a dead letter embeds the payload) recurses once per level, and at 1000 levels that
     * overflowed a step's 512 KiB stack, so the step never finished; 256 levels need a fifth of it.
     */
    public static final int MAX_NESTING_DEPTH = 256;

    /*
     * Jackson keeps its read/write buffers in a ThreadLocal pool by default. Block outputs are
     * written on the step's virtual thread, a new thread per step, so each allocated fresh
     * buffers (16 % of all allocation in the sandbox profile): JsonBufferPool shares them among
     * virtual threads and keeps the ThreadLocal for platform threads.
     */
    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .recyclerPool(new JsonBufferPool()).build())
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .addModule(WireWriters.module())
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(
                StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build());
    }

    /**
     * A writer per class with its serializer resolved once: {@code writeValueAsBytes} on the
     * mapper looked the root serializer up for every message it wrote (4 % of the sandbox profile
     * when acks and results went through it).
     */
    private static final ClassValue<ObjectWriter> WRITERS = new ClassValue<>() {
        @Override
        protected ObjectWriter computeValue(Class<?> type) {
            return MAPPER.writerFor(type);
        }
    };

    /** Reads trees with the root deserializer resolved once (the mapper resolves it per call). */
    private static final ObjectReader TREE_READER = MAPPER.readerFor(JsonNode.class);

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        // acks and results, two per step, are written without Jackson when they can be (WireBytes)
        byte[] direct = value instanceof ExecResult result ? WireBytes.result(result)
                : value instanceof ExecAssignmentAck ack ? WireBytes.ack(ack) : null;
        if (direct != null) {
            return direct;
        }
        try {
            return WRITERS.get(value.getClass()).writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    public static String writeString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot serialise " + value.getClass().getSimpleName(), e);
        }
    }

    /** Parses a document; throws {@link IOException} on anything that is not one JSON value. */
    public static JsonNode readTree(byte[] bytes) throws IOException {
        JsonNode node = TREE_READER.readTree(bytes);
        if (node == null || node.isMissingNode()) {
            throw new IOException("empty document");
        }
        return node;
    }

    public static <T> T read(byte[] bytes, Class<T> type) {
        try {
            return MAPPER.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + type.getSimpleName(), e);
        }
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        return MAPPER.convertValue(node, type);
    }
}
