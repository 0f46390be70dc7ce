package io.beamline.worker.contract;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;

/**
 * Jackson serializers for the ack, the result and {@link FsOutput}, laid out by
 * {@link WireLayout}: Jackson's reflective record serialization was a fifth of the intake
 * thread's time in the profile. {@link WireBytes} writes the same messages without Jackson on
 * the hot path; these serve every other use of the mapper and the messages WireBytes leaves to it.
 */
final class WireWriters {
    private WireWriters() {
    }

    /** One message's layout, given a sink. */
    @FunctionalInterface
    private interface Layout<T> {
        void write(T value, WireSink out) throws IOException;
    }

    static SimpleModule module() {
        return new SimpleModule("beamline-wire")
                .addSerializer(ExecAssignmentAck.class, new LayoutWriter<>(ExecAssignmentAck.class, WireLayout::ack))
                .addSerializer(ExecResult.class, new LayoutWriter<>(ExecResult.class, WireLayout::result))
                .addSerializer(FsOutput.class, new LayoutWriter<>(FsOutput.class, WireLayout::fsOutput));
    }

    private static final class LayoutWriter<T> extends StdSerializer<T> {
        private final transient Layout<T> layout;

        LayoutWriter(Class<T> type, Layout<T> layout) {
            super(type);
            this.layout = layout;
        }

        @Override
        public void serialize(T value, JsonGenerator g, SerializerProvider provider) throws IOException {
            layout.write(value, new GeneratorSink(g, provider));
        }
    }

    /** A sink onto a Jackson generator; other values through the provider's serializers. */
    private record GeneratorSink(JsonGenerator g, SerializerProvider provider) implements WireSink {
        @Override
        public void startObject() throws IOException {
            g.writeStartObject();
        }

        @Override
        public void endObject() throws IOException {
            g.writeEndObject();
        }

        @Override
        public void field(Name name) throws IOException {
            g.writeFieldName(name.jackson());
        }

        @Override
        public void key(String name) throws IOException {
            g.writeFieldName(name);
        }

        @Override
        public void string(String value) throws IOException {
            g.writeString(value);
        }

        @Override
        public void number(long value) throws IOException {
            g.writeNumber(value);
        }

        @Override
        public void bool(boolean value) throws IOException {
            g.writeBoolean(value);
        }

        @Override
        public void value(Object value) throws IOException {
            provider.defaultSerializeValue(value, g);
        }
    }
}
