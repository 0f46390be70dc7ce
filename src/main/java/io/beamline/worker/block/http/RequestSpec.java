package io.beamline.worker.block.http;

import io.beamline.worker.contract.HttpRequestJob;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.util.Locale;
import java.util.Map;

/**
 * One hop of an HTTP call: method, target, headers and body, kept so a redirect can derive the
 * next hop. {@code body} is a publisher that can be subscribed again (a string, or a file
 * read again from its start), so a 307/308 redirect resends it. Immutable.
 */
record RequestSpec(String method, URI uri, Map<String, String> headers, BodyPublisher body) {

    /**
     * The first hop of {@code job}.
     *
     * @throws IllegalArgumentException when the URL is not an absolute http(s) URL with a host
     */
    static RequestSpec of(HttpRequestJob job, BodyPublisher body) {
        URI uri;
        try {
            uri = new URI(job.url());
        } catch (java.net.URISyntaxException e) {
            // the parser's message repeats the whole URL, user info and all: say where, not what
            throw new IllegalArgumentException("url does not parse: " + e.getReason() + " at index " + e.getIndex());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("url must be http:// or https://");
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("url must name a host and carry no user info");
        }
        Map<String, String> headers = job.headers() == null ? Map.of() : Map.copyOf(job.headers());
        return new RequestSpec(job.method() == null ? "GET" : job.method(), uri, headers, body);
    }

    /**
     * The request to send. HTTPS negotiates HTTP/2 (falling back to HTTP/1.1); plain HTTP uses
     * HTTP/1.1 unless {@code h2c}, since an h2c upgrade costs a round of headers for servers that
     * rarely support it.
     *
     * @throws IllegalArgumentException for a header the JDK refuses (restricted such as Host,
     *                                  Connection, Content-Length; or a malformed name or value)
     */
    HttpRequest build(boolean h2c) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri);
        boolean empty = body.contentLength() == 0;
        // GET, HEAD and DELETE without a body are built without one: the JDK otherwise sends
        // "Content-Length: 0", which RFC 9110 asks clients not to send and strict servers refuse
        switch (method) {
            case "GET" -> builder = empty ? builder.GET() : builder.method(method, body);
            case "HEAD" -> builder = empty ? builder.HEAD() : builder.method(method, body);
            case "DELETE" -> builder = empty ? builder.DELETE() : builder.method(method, body);
            default -> builder = builder.method(method, body);
        }
        if (uri.getScheme().equalsIgnoreCase("http") && !h2c) {
            builder.version(HttpClient.Version.HTTP_1_1);
        }
        for (Map.Entry<String, String> header : headers.entrySet()) {
            String name = header.getKey();
            if (FRAMING_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                // the client frames the message itself (Content-Length); a job's Transfer-Encoding
                // beside it is the request-smuggling pattern
                throw new IllegalArgumentException("header \"" + name + "\" refused: the client frames and routes the message itself");
            }
            if (!header.getValue().chars().allMatch(c -> c < 0x7F)) {
                // the JDK sends each such character as '?': the server would get another value
                throw new IllegalArgumentException("header \"" + name + "\" refused: its value must be ASCII (RFC 9110 §5.5)");
            }
            try {
                builder.header(name, header.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("header \"" + name + "\" refused: " + e.getMessage(), e);
            }
        }
        return builder.build();
    }

    /**
     * Hop-by-hop and framing headers (RFC 9110 §7.6.1, RFC 9112 §6) the JDK does not refuse by
     * itself (it refuses Connection, Content-Length, Expect, Host and Upgrade).
     */
    private static final java.util.Set<String> FRAMING_HEADERS =
            java.util.Set.of("transfer-encoding", "te", "trailer", "keep-alive", "proxy-connection");

    String host() {
        return uri.getHost();
    }
}
