package io.beamline.worker.block.human;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.beamline.worker.contract.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal Chrome DevTools Protocol client over the JDK's WebSocket: sends commands to one
 * page target and waits for their replies (events are ignored). Thread-safe.
 */
final class DevToolsSession implements AutoCloseable {
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> replies = new ConcurrentHashMap<>();

    private DevToolsSession(HttpClient client, URI pageSocket) {
        this.socket = client.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(pageSocket, new Listener()).join();
    }

    static DevToolsSession connect(HttpClient client, URI pageSocket) {
        return new DevToolsSession(client, pageSocket);
    }

    /** Sends {@code method} and returns its {@code result}; a protocol error fails the test. */
    JsonNode call(String method, ObjectNode params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        replies.put(id, reply);
        ObjectNode command = Json.mapper().createObjectNode().put("id", id).put("method", method);
        command.set("params", params);
        socket.sendText(Json.writeString(command), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = reply.get(30, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new AssertionError(method + " failed: " + answer.get("error"));
        }
        return answer.get("result");
    }

    /** Evaluates {@code expression} in the page and returns its value (promises awaited). */
    JsonNode evaluate(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Json.mapper().createObjectNode()
                .put("expression", expression).put("returnByValue", true).put("awaitPromise", true));
        if (result.has("exceptionDetails")) {
            throw new AssertionError("page script failed: " + result.get("exceptionDetails"));
        }
        return result.get("result").path("value");
    }

    @Override
    public void close() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null).join();
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                dispatch(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void dispatch(String message) {
            try {
                JsonNode node = Json.readTree(message.getBytes(StandardCharsets.UTF_8));
                if (node.has("id")) {
                    CompletableFuture<JsonNode> reply = replies.remove(node.get("id").intValue());
                    if (reply != null) {
                        reply.complete(node);
                    }
                }
            } catch (IOException e) {
                replies.values().forEach(reply -> reply.completeExceptionally(e));
            }
        }
    }
}
