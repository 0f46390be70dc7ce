package io.beamline.worker.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A loopback listener whose accept queue is full and never drained: the kernel drops further
 * connection attempts, so a client's connect hangs exactly as it would towards an unreachable
 * host, without sending a packet off this machine. Used by one test thread.
 */
public final class FullBacklogListener implements AutoCloseable {
    private static final int MAX_FILLERS = 64;

    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    private FullBacklogListener(ServerSocket listener) {
        this.listener = listener;
    }

    /** Opens the listener and connects until a connect attempt no longer completes. */
    public static FullBacklogListener open() throws IOException {
        FullBacklogListener full = new FullBacklogListener(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        for (int i = 0; i < MAX_FILLERS; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(full.listener.getLocalSocketAddress(), 300);
                full.fillers.add(socket);
            } catch (SocketTimeoutException e) {
                socket.close();
                return full;
            }
        }
        full.close();
        throw new IllegalStateException("the accept queue never filled after " + MAX_FILLERS + " connections");
    }

    public String url(String path) {
        return "http://127.0.0.1:" + listener.getLocalPort() + path;
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : fillers) {
            socket.close();
        }
        listener.close();
    }
}
