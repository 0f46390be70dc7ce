package io.beamline.worker.contract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Typed access to the fields of one JSON object with the contract's error reasons: a missing
 * required field is {@code missing_required_field}, a field of the wrong JSON type or shape is
 * {@code invalid_format}. {@code prefix} names the object in messages (e.g. {@code "job."}).
 */
final class Fields {
    static final int MAX_ID_LENGTH = 256;

    private final JsonNode object;
    private final String prefix;

    Fields(JsonNode object, String prefix) {
        this.object = object;
        this.prefix = prefix;
    }

    String requiredString(String name) throws InvalidFieldException {
        String value = optionalString(name);
        if (value == null) {
            throw missing(name);
        }
        if (!isFilled(value)) {
            throw new InvalidFieldException(RejectReason.MISSING_REQUIRED_FIELD, prefix + name + " must not be empty");
        }
        return value;
    }

    /**
     * What a required string must be besides present: not blank, counting every Unicode space as
     * blank (String.isBlank leaves out the no-break spaces, so an id of U+00A0 passed).
     */
    static boolean isFilled(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * What an identifier must be besides a string: at most {@value #MAX_ID_LENGTH} characters, of
     * well-formed Unicode. JSON can carry a lone surrogate ({@code "\ud800"}), but UTF-8 cannot:
     * stored or sent on (an approval's record, its notification) such an id became {@code ?}, and
     * the approval it named never found its step again.
     */
    static boolean fitsIdLength(String value) {
        return value.length() <= MAX_ID_LENGTH && isWellFormed(value);
    }

    /** Whether {@code value} has no lone UTF-16 surrogate: whether UTF-8 can carry it unchanged. */
    static boolean isWellFormed(String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    String optionalString(String name) throws InvalidFieldException {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw format(name, "a string");
        }
        return wellFormed(name, node.textValue());
    }

    /**
     * {@code value}, when UTF-8 can carry it: a lone surrogate ({@code "\ud800"}, valid JSON) in a
     * path, a file's content, a body or an SQL parameter became {@code ?} on its way out, so the
     * step ran on data other than the job's (or failed as an internal error); refused instead.
     */
    private String wellFormed(String name, String value) throws InvalidFieldException {
        if (!isWellFormed(value)) {
            throw new InvalidFieldException(RejectReason.INVALID_FORMAT, prefix + name + " must be well-formed Unicode (a lone surrogate is not)");
        }
        return value;
    }

    /** An identifier: a non-blank string of at most {@value #MAX_ID_LENGTH} characters. */
    String requiredId(String name) throws InvalidFieldException {
        return checkIdLength(name, requiredString(name));
    }

    String optionalId(String name) throws InvalidFieldException {
        return checkIdLength(name, optionalString(name));
    }

    /** {@code value} came through {@link #optionalString}, which already refused a malformed one. */
    private String checkIdLength(String name, String value) throws InvalidFieldException {
        if (value != null && value.length() > MAX_ID_LENGTH) {
            throw new InvalidFieldException(RejectReason.INVALID_FORMAT,
                    prefix + name + " must be at most " + MAX_ID_LENGTH + " characters");
        }
        return value;
    }

    Long optionalLong(String name, long min, long max) throws InvalidFieldException {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isIntegralNumber()) {
            throw format(name, "an integer");
        }
        if (!node.canConvertToLong()) {
            // an integer all the same, only out of range: the value's fault, not its type's
            throw new InvalidFieldException(RejectReason.INVALID_INPUT,
                    prefix + name + " must be between " + min + " and " + max + ", got " + node.bigIntegerValue());
        }
        long value = node.longValue();
        if (value < min || value > max) {
            throw new InvalidFieldException(RejectReason.INVALID_INPUT,
                    prefix + name + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    Integer optionalInt(String name, int min, int max) throws InvalidFieldException {
        Long value = optionalLong(name, min, max);
        return value == null ? null : value.intValue();
    }

    JsonNode requiredObject(String name) throws InvalidFieldException {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            throw missing(name);
        }
        if (!node.isObject()) {
            throw format(name, "an object");
        }
        return node;
    }

    JsonNode optionalObject(String name) throws InvalidFieldException {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw format(name, "an object");
        }
        return node;
    }

    Map<String, String> optionalStringMap(String name) throws InvalidFieldException {
        JsonNode node = optionalObject(name);
        if (node == null) {
            return null;
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw format(name + "." + entry.getKey(), "a string");
            }
            map.put(wellFormed(name, entry.getKey()), wellFormed(name + "." + entry.getKey(), entry.getValue().textValue()));
        }
        return map;
    }

    List<String> optionalStringList(String name) throws InvalidFieldException {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw format(name, "an array of strings");
        }
        List<String> list = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (!element.isTextual()) {
                throw format(name, "an array of strings");
            }
            list.add(wellFormed(name, element.textValue()));
        }
        return list;
    }

    /** An array of JSON scalars, converted to String, Long/BigInteger, Double/BigDecimal, Boolean or null. */
    List<Object> optionalScalarList(String name) throws InvalidFieldException {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isArray()) {
            throw format(name, "an array");
        }
        List<Object> list = new ArrayList<>(node.size());
        for (JsonNode element : node) {
            if (element.isContainerNode()) {
                throw format(name, "an array of scalars (string, number, boolean, null)");
            }
            if (element.isTextual()) {
                wellFormed(name, element.textValue());
            }
            list.add(Json.convert(element, Object.class));
        }
        return list;
    }

    private InvalidFieldException missing(String name) {
        return new InvalidFieldException(RejectReason.MISSING_REQUIRED_FIELD, "missing required field " + prefix + name);
    }

    private InvalidFieldException format(String name, String expected) {
        return new InvalidFieldException(RejectReason.INVALID_FORMAT, prefix + name + " must be " + expected);
    }
}
