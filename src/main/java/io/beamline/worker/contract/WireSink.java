package io.beamline.worker.contract;

import com.fasterxml.jackson.core.io.SerializedString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Where {@link WireLayout} writes a message: a Jackson generator ({@link WireWriters}) or bytes
 * ({@link WireBytes}). A field is {@link #field} followed by one value or one object.
 */
interface WireSink {

    /** A field name with its quoted forms computed once, for either sink. */
    record Name(SerializedString jackson, byte[] quoted) {
        static Name of(String name) {
            return new Name(new SerializedString(name), ("\"" + name + "\":").getBytes(StandardCharsets.US_ASCII));
        }
    }

    void startObject() throws IOException;

    void endObject() throws IOException;

    void field(Name name) throws IOException;

    /** A field whose name is data (a map's key), followed by one value. */
    void key(String name) throws IOException;

    void string(String value) throws IOException;

    void number(long value) throws IOException;

    void bool(boolean value) throws IOException;

    /** Any other value (block outputs, errors), written by Jackson. */
    void value(Object value) throws IOException;
}
