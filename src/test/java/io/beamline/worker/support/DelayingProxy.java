package io.beamline.worker.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A TCP proxy in front of a local server whose way back is slow: every chunk the server sends
 * reaches the client {@code delay} later (in order); what the client sends passes at once. It
 * stands for a loaded or distant link, where a server's last messages of a request may still be
 * on their way when the client's own clock says the request is over.
 */
public final class DelayingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final long delayNanos;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    private DelayingProxy(int upstreamPort, Duration serverToClientDelay) throws IOException {
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.upstreamPort = upstreamPort;
        this.delayNanos = serverToClientDelay.toNanos();
        Thread.ofVirtual().name("proxy-accept").start(this::acceptLoop);
    }

    public static DelayingProxy start(int upstreamPort, Duration serverToClientDelay) throws IOException {
        return new DelayingProxy(upstreamPort, serverToClientDelay);
    }

    public String natsUrl() {
        return "nats://127.0.0.1:" + listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(server);
                Thread.ofVirtual().start(() -> copyAtOnce(client, server));
                BlockingQueue<Chunk> back = new LinkedBlockingQueue<>();
                Thread.ofVirtual().start(() -> readBack(server, back));
                Thread.ofVirtual().start(() -> writeBackLater(back, client, server));
            } catch (IOException e) {
                return;  // closed
            }
        }
    }

    private record Chunk(long dueNanos, byte[] bytes) {
        static final Chunk END = new Chunk(0, new byte[0]);
    }

    private static void copyAtOnce(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            in.transferTo(out);
        } catch (IOException e) {
            // one side closed: the other follows
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private void readBack(Socket server, BlockingQueue<Chunk> back) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = server.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                back.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
            }
        } catch (IOException e) {
            // closed
        } finally {
            back.add(Chunk.END);
        }
    }

    private static void writeBackLater(BlockingQueue<Chunk> back, Socket client, Socket server) {
        try (OutputStream out = client.getOutputStream()) {
            while (true) {
                Chunk chunk = back.take();
                if (chunk == Chunk.END) {
                    return;
                }
                long wait = chunk.dueNanos() - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                out.write(chunk.bytes());
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // closed
        } finally {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(DelayingProxy::closeQuietly);
    }
}
