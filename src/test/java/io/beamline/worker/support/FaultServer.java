package io.beamline.worker.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fault-injecting HTTP/1.1 server for tests, on a raw {@link ServerSocket} bound to
 * {@code 127.0.0.1} only, so that it can misbehave in ways a real server library would not:
 * answer late, trickle a body, reset the connection, never answer, or stream gigabytes it
 * never holds. Replies are set per path ({@link #on}); a path given several replies plays them
 * in order and repeats the last, so retries can be scripted. Every request is recorded
 * (method, target, headers, body digest, arrival time) so tests count attempts.
 *
 * <p>Thread-safe: each connection is served on its own virtual thread; keep-alive is
 * supported, so pooled clients reuse connections as they would in production.
 */
public final class FaultServer implements AutoCloseable {
    static final int KEPT_BODY_BYTES = 64 * 1024;

    private final ServerSocket listener;
    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, Script> scripts = new ConcurrentHashMap<>();
    private final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger closedByClient = new AtomicInteger();

    private FaultServer(ServerSocket listener) {
        this.listener = listener;
    }

    public static FaultServer start() throws IOException {
        FaultServer server = new FaultServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        server.threads.submit(server::acceptLoop);
        return server;
    }

    /** Replies for requests to {@code path} (query ignored): in order, the last one repeating. */
    public FaultServer on(String path, Reply... replies) {
        scripts.put(path, new Script(List.of(replies)));
        return this;
    }

    public int port() {
        return listener.getLocalPort();
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public List<RecordedRequest> requests(String path) {
        return requests.stream().filter(request -> request.path().equals(path)).toList();
    }

    /** Connections that ended because the client closed or reset them. */
    public int connectionsClosedByClient() {
        return closedByClient.get();
    }

    /** The byte at {@code offset} of every generated body. */
    public static byte pattern(long offset) {
        return (byte) (offset % 251);
    }

    /** The SHA-256 (hex) of a generated body of {@code length} bytes. */
    public static String patternSha256(long length) {
        MessageDigest digest = sha256();
        byte[] block = new byte[64 * 1024];
        for (long offset = 0; offset < length; offset += block.length) {
            int size = (int) Math.min(block.length, length - offset);
            for (int i = 0; i < size; i++) {
                block[i] = pattern(offset + i);
            }
            digest.update(block, 0, size);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : open) {
            socket.close();
        }
        threads.shutdownNow();
    }

    Reply replyFor(String path) {
        Script script = scripts.get(path);
        return script == null ? Reply.status(404).body("no reply set for " + path) : script.next();
    }

    void record(RecordedRequest request) {
        requests.add(request);
    }

    void clientClosed() {
        closedByClient.incrementAndGet();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket socket = listener.accept();
                open.add(socket);
                threads.submit(() -> {
                    try (socket) {
                        new FaultConnection(this, socket).serve();
                    } catch (IOException e) {
                        // the connection is gone; FaultConnection counted it when the client did it
                    } finally {
                        open.remove(socket);
                    }
                    return null;
                });
            } catch (IOException e) {
                return;  // closed
            }
        }
    }

    private static final class Script {
        private final List<Reply> replies;
        private final AtomicInteger served = new AtomicInteger();

        Script(List<Reply> replies) {
            if (replies.isEmpty()) {
                throw new IllegalArgumentException("at least one reply");
            }
            this.replies = replies;
        }

        Reply next() {
            return replies.get(Math.min(served.getAndIncrement(), replies.size() - 1));
        }
    }
}
