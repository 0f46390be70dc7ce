package io.beamline.worker.contract;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The tokens of one JSON document over its bytes, for {@link DirectAssignmentReader}: a strict
 * reader of the JSON a Router sends (ASCII text, the standard escapes, integers) that gives up
 * with {@link Unsure} on anything else, so that Jackson's tree decides. It accepts nothing
 * Jackson's default parser refuses: leading zeros, control characters, unknown escapes, a
 * surrogate written as an escape, nesting beyond {@link Json#MAX_NESTING_DEPTH}, trailing
 * content and broken structure all give up, as do non-ASCII bytes (Jackson validates and
 * decodes UTF-8; this reader leaves that to it). The field names its caller knows
 * ({@link Names}) come back as the same String instances every time, values as new Strings. Why not Jackson's streaming parser, as
 * before: for every message it built a parser, its read contexts and buffers and a string per
 * field name. With this reader JMH's decodeAndValidate takes ~24 % less time and the sandbox
 * worker ~5 % less CPU per step (docs/benchmarks.md). One instance per document; not thread-safe.
 */
final class PlainJson {
    /** Token kinds of {@link #nextToken}. */
    static final int START_OBJECT = 1;
    static final int START_ARRAY = 2;
    static final int STRING = 3;
    static final int INTEGER = 4;
    static final int NULL = 5;
    /** true, false or a number with a fraction or an exponent: never a field this reader keeps. */
    static final int OTHER_SCALAR = 6;

    /** Bytes that stand for themselves inside a string: printable ASCII but the quote and the backslash. */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            PLAIN[c] = c != '"' && c != '\\';
        }
    }

    /** Longest string or name kept on this path; longer ones (bodies of megabytes) go to Jackson. */
    private static final int MAX_STRING_BYTES = 1 << 20;
    /** Longest field name read here; the names the reader knows are far shorter. */
    private static final int MAX_NAME_BYTES = 1_000;
    /** Integers of more digits may not fit a long (Jackson would call them BIG_INTEGER). */
    private static final int MAX_INTEGER_DIGITS = 18;
    private static final int MAX_NUMBER_CHARS = 100;

    /**
     * The field names a reader looks for, each returned as one String instance (no String per
     * name per message), by length and then byte by byte. Immutable.
     */
    static final class Names {
        private final String[][] byLength;
        private final byte[][][] bytesByLength;

        private Names(String... names) {
            int longest = Arrays.stream(names).mapToInt(String::length).max().orElse(0);
            byLength = new String[longest + 1][];
            bytesByLength = new byte[longest + 1][][];
            for (int length = 0; length <= longest; length++) {
                int l = length;
                byLength[length] = Arrays.stream(names).filter(n -> n.length() == l).toArray(String[]::new);
                bytesByLength[length] = Arrays.stream(byLength[length])
                        .map(n -> n.getBytes(StandardCharsets.US_ASCII)).toArray(byte[][]::new);
            }
        }

        /** The known name in {@code in[start, end)}, or null. */
        private String find(byte[] in, int start, int end) {
            int length = end - start;
            if (length >= byLength.length) {
                return null;
            }
            byte[][] candidates = bytesByLength[length];
            next:
            for (int i = 0; i < candidates.length; i++) {
                byte[] candidate = candidates[i];
                for (int k = 0; k < length; k++) {
                    if (in[start + k] != candidate[k]) {
                        continue next;
                    }
                }
                return byLength[length][i];
            }
            return null;
        }
    }

    /** A table of the field names a reader looks for (ASCII). */
    static Names names(String... names) {
        return new Names(names);
    }

    /** Thrown wherever Jackson has to decide; no stack trace, it is not an error. */
    static final class Unsure extends Exception {
        static final Unsure INSTANCE = new Unsure();

        private Unsure() {
            super(null, null, false, false);
        }
    }

    private final byte[] in;
    private final Names names;
    private int at;
    private int depth;
    /** True right after an object's '{': its first field needs no comma. */
    private boolean objectStarted;
    // the last string token: where its text lies, and whether it holds escapes to decode
    private int textStart;
    private int textEnd;
    private boolean textEscaped;
    /** The decoded text of the last string token when it held escapes. */
    private String unescaped;
    private long integer;

    /** Reads {@code in}; the field names in {@code names} come back as their one instance. */
    PlainJson(byte[] in, Names names) {
        this.in = in;
        this.names = names;
    }

    /** Reads the opening brace of the document's top-level object. */
    void startDocument() throws Unsure {
        skipWhitespace();
        if (at >= in.length || in[at] != '{') {
            throw Unsure.INSTANCE;
        }
        at++;
        enter();
        objectStarted = true;
    }

    /** True when nothing but whitespace follows the top-level value. */
    boolean atEnd() {
        skipWhitespace();
        return at == in.length;
    }

    /**
     * The next field name of the current object, or null (having read its closing brace) when
     * it has no more. The value comes next: {@link #nextToken}.
     */
    String nextFieldName() throws Unsure {
        return fieldName(true);
    }

    /** As {@link #nextFieldName}; names are made Strings only when {@code wanted} (else "" stands for any). */
    private String fieldName(boolean wanted) throws Unsure {
        skipWhitespace();
        byte c = peek();
        if (c == '}') {
            at++;
            depth--;
            objectStarted = false;
            return null;
        }
        if (!objectStarted) {
            if (c != ',') {
                throw Unsure.INSTANCE;
            }
            at++;
            skipWhitespace();
            c = peek();
        }
        objectStarted = false;
        if (c != '"') {
            throw Unsure.INSTANCE;
        }
        at++;
        scanString();
        if (textEnd - textStart > MAX_NAME_BYTES) {
            throw Unsure.INSTANCE;  // Jackson refuses names beyond its own limit (50,000): let it decide
        }
        String name = !wanted ? "" : textEscaped ? null : names.find(in, textStart, textEnd);
        if (name == null) {
            name = text();
        }
        skipWhitespace();
        if (peek() != ':') {
            throw Unsure.INSTANCE;
        }
        at++;
        return name;
    }

    /** Reads the next value's first token: a scalar whole, an object or array only its opening. */
    int nextToken() throws Unsure {
        skipWhitespace();
        byte c = peek();
        switch (c) {
            case '"' -> {
                at++;
                scanString();
                return STRING;
            }
            case '{' -> {
                at++;
                enter();
                objectStarted = true;
                return START_OBJECT;
            }
            case '[' -> {
                at++;
                enter();
                return START_ARRAY;
            }
            case 'n' -> {
                literal("null");
                return NULL;
            }
            case 't' -> {
                literal("true");
                return OTHER_SCALAR;
            }
            case 'f' -> {
                literal("false");
                return OTHER_SCALAR;
            }
            default -> {
                return number();
            }
        }
    }

    /** The text of the last {@link #STRING} token. */
    String text() {
        return textEscaped ? unescaped : new String(in, textStart, textEnd - textStart, StandardCharsets.ISO_8859_1);
    }

    /** The value of the last {@link #INTEGER} token. */
    long integer() {
        return integer;
    }

    /**
     * After a {@link #START_OBJECT} or {@link #START_ARRAY} token, reads past its end, checking
     * what it passes over as strictly as the rest; after any other token, nothing to do.
     */
    void skipChildren(int token) throws Unsure {
        if (token == START_OBJECT) {
            while (fieldName(false) != null) {  // the names of what is skipped are not needed
                skipChildren(nextToken());
            }
        } else if (token == START_ARRAY) {
            skipWhitespace();
            if (peek() == ']') {
                at++;
                depth--;
                return;
            }
            while (true) {
                skipChildren(nextToken());
                skipWhitespace();
                byte c = peek();
                at++;
                if (c == ']') {
                    depth--;
                    objectStarted = false;
                    return;
                }
                if (c != ',') {
                    throw Unsure.INSTANCE;
                }
            }
        }
    }

    private void enter() throws Unsure {
        if (++depth > Json.MAX_NESTING_DEPTH) {
            throw Unsure.INSTANCE;
        }
    }

    private byte peek() throws Unsure {
        if (at >= in.length) {
            throw Unsure.INSTANCE;
        }
        return in[at];
    }

    private void skipWhitespace() {
        while (at < in.length) {
            byte c = in[at];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            at++;
        }
    }

    /** From just after an opening quote to just after the closing one; refuses what Jackson might read differently. */
    private void scanString() throws Unsure {
        byte[] bytes = in;
        int start = at;
        int i = start;
        boolean escaped = false;
        while (true) {
            // the plain run first: one table lookup a byte (this loop reads most of every message)
            while (i < bytes.length && PLAIN[bytes[i] & 0xFF]) {
                i++;
            }
            if (i >= bytes.length) {
                throw Unsure.INSTANCE;
            }
            byte c = bytes[i];
            if (c == '"') {
                break;
            }
            if (c != '\\' || i + 1 >= bytes.length) {
                throw Unsure.INSTANCE;  // controls, every non-ASCII byte, or an escape cut off
            }
            escaped = true;
            i += 2;  // the escaped character is checked when the text is decoded
        }
        if (i - start > MAX_STRING_BYTES) {
            throw Unsure.INSTANCE;
        }
        textStart = start;
        textEnd = i;
        textEscaped = escaped;
        at = i + 1;
        // decoded at once: an escape Jackson refuses must not pass here, whether read or skipped
        unescaped = escaped ? unescape(start, i) : null;
    }

    private String unescape(int start, int end) throws Unsure {
        StringBuilder text = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            char c = (char) in[i];
            if (c != '\\') {
                text.append(c);
                continue;
            }
            char e = (char) in[++i];
            switch (e) {
                case '"', '\\', '/' -> text.append(e);
                case 'b' -> text.append('\b');
                case 'f' -> text.append('\f');
                case 'n' -> text.append('\n');
                case 'r' -> text.append('\r');
                case 't' -> text.append('\t');
                case 'u' -> {
                    if (i + 4 >= end) {
                        throw Unsure.INSTANCE;
                    }
                    int code = 0;
                    for (int k = 1; k <= 4; k++) {
                        int digit = Character.digit(in[i + k], 16);
                        if (digit < 0) {
                            throw Unsure.INSTANCE;
                        }
                        code = code << 4 | digit;
                    }
                    if (Character.isSurrogate((char) code)) {
                        throw Unsure.INSTANCE;  // pairs and lone halves: Jackson's rules decide
                    }
                    text.append((char) code);
                    i += 4;
                }
                default -> throw Unsure.INSTANCE;
            }
        }
        return text.toString();
    }

    private void literal(String word) throws Unsure {
        int n = word.length();
        if (at + n > in.length) {
            throw Unsure.INSTANCE;
        }
        for (int i = 0; i < n; i++) {
            if (in[at + i] != word.charAt(i)) {
                throw Unsure.INSTANCE;
            }
        }
        at += n;
    }

    /** JSON's number grammar: {@code -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    private int number() throws Unsure {
        int start = at;
        boolean negative = false;
        if (at < in.length && in[at] == '-') {
            negative = true;
            at++;
        }
        int digitsStart = at;
        long value = 0;
        while (at < in.length && in[at] >= '0' && in[at] <= '9') {
            value = value * 10 + (in[at] - '0');
            at++;
        }
        int digits = at - digitsStart;
        if (digits == 0 || (digits > 1 && in[digitsStart] == '0')) {
            throw Unsure.INSTANCE;  // no digits, or a leading zero
        }
        boolean integral = true;
        if (at < in.length && in[at] == '.') {
            integral = false;
            at++;
            requireDigits();
        }
        if (at < in.length && (in[at] == 'e' || in[at] == 'E')) {
            integral = false;
            at++;
            if (at < in.length && (in[at] == '+' || in[at] == '-')) {
                at++;
            }
            requireDigits();
        }
        if (at - start > MAX_NUMBER_CHARS) {
            throw Unsure.INSTANCE;
        }
        if (!integral) {
            return OTHER_SCALAR;
        }
        if (digits > MAX_INTEGER_DIGITS) {
            throw Unsure.INSTANCE;
        }
        integer = negative ? -value : value;
        return INTEGER;
    }

    private void requireDigits() throws Unsure {
        int start = at;
        while (at < in.length && in[at] >= '0' && in[at] <= '9') {
            at++;
        }
        if (at == start) {
            throw Unsure.INSTANCE;
        }
    }
}
