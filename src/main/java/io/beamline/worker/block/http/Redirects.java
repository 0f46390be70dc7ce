package io.beamline.worker.block.http;

import java.net.URI;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Follows redirects by hand rather than with the client's {@code Redirect.NORMAL}, so that every
 * hop passes the destination policy (a redirect to a metadata address is the classic way around
 * an allow-list). Semantics match {@code NORMAL}: 301/302/303 turn a POST into a GET without
 * body, 307/308 resend method and body, HTTPS is never downgraded to HTTP. Credentials are not
 * carried to another origin. Stateless.
 */
final class Redirects {
    static final int MAX_HOPS = 5;
    private static final Set<Integer> STATUSES = Set.of(301, 302, 303, 307, 308);
    private static final Set<String> CREDENTIAL_HEADERS = Set.of("authorization", "cookie", "proxy-authorization");

    private Redirects() {
    }

    static boolean isRedirect(int status, Optional<String> location) {
        return STATUSES.contains(status) && location.isPresent();
    }

    /** The next hop, or empty when the response is to be returned as it is. */
    static Optional<RequestSpec> next(RequestSpec current, int status, Optional<String> location) {
        if (!isRedirect(status, location)) {
            return Optional.empty();
        }
        URI target;
        try {
            target = current.uri().resolve(location.get());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(Locale.ROOT);
        boolean downgrade = current.uri().getScheme().equalsIgnoreCase("https") && scheme.equals("http");
        if (downgrade || !(scheme.equals("http") || scheme.equals("https")) || target.getHost() == null) {
            return Optional.empty();
        }
        boolean becomesGet = status == 303 || ((status == 301 || status == 302) && current.method().equals("POST"));
        String method = becomesGet && !current.method().equals("HEAD") ? "GET" : current.method();
        return Optional.of(new RequestSpec(method, target, headersFor(current, target, becomesGet),
                becomesGet ? BodyPublishers.noBody() : current.body()));
    }

    /**
     * The headers of the next hop: credentials stay with their origin; a request that lost its
     * body also loses the headers that described it (Content-Type and the other Content-*,
     * RFC 9110 §15.4).
     */
    private static Map<String, String> headersFor(RequestSpec current, URI target, boolean lostBody) {
        boolean sameOrigin = sameOrigin(current.uri(), target);
        if (sameOrigin && !lostBody) {
            return current.headers();
        }
        Map<String, String> kept = new LinkedHashMap<>();
        current.headers().forEach((name, value) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            boolean credential = !sameOrigin && CREDENTIAL_HEADERS.contains(lower);
            boolean describedBody = lostBody && lower.startsWith("content-");
            if (!credential && !describedBody) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme())
                && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
