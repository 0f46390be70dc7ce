package io.beamline.worker.block.human;

import com.sun.net.httpserver.HttpExchange;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The parameters of a request's query ({@code application/x-www-form-urlencoded}); the first
 * value of a repeated name counts, badly encoded pairs are ignored. Immutable.
 */
final class QueryString {
    private final Map<String, String> values;

    private QueryString(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    static QueryString of(HttpExchange exchange) {
        return parse(exchange.getRequestURI().getRawQuery());
    }

    static QueryString parse(String rawQuery) {
        Map<String, String> values = new HashMap<>();
        if (rawQuery != null) {
            for (String pair : rawQuery.split("&")) {
                int equals = pair.indexOf('=');
                try {
                    String name = URLDecoder.decode(equals < 0 ? pair : pair.substring(0, equals), StandardCharsets.UTF_8);
                    String value = equals < 0 ? "" : URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
                    values.putIfAbsent(name, value);
                } catch (IllegalArgumentException badEscape) {
                    // a malformed pair names nothing we can use
                }
            }
        }
        return new QueryString(values);
    }

    /** The parameter's value when present and not empty. */
    Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name)).filter(value -> !value.isEmpty());
    }
}
