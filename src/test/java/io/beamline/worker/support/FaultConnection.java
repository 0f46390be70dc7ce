package io.beamline.worker.support;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One client connection of {@link FaultServer}: reads HTTP/1.1 requests (Content-Length or
 * chunked bodies) and plays the scripted {@link Reply} for each, keeping the connection open
 * between requests. Used by one thread.
 */
final class FaultConnection {
    private static final int MAX_HEAD_BYTES = 64 * 1024;
    private static final int WRITE_BLOCK = 64 * 1024;

    private final FaultServer server;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    FaultConnection(FaultServer server, Socket socket) throws IOException {
        this.server = server;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = new BufferedOutputStream(socket.getOutputStream());
    }

    void serve() throws IOException {
        try {
            while (true) {
                Optional<RecordedRequest> request = readRequest();
                if (request.isEmpty()) {
                    server.clientClosed();
                    return;
                }
                server.record(request.get());
                boolean head = request.get().method().equals("HEAD");
                switch (server.replyFor(request.get().path())) {
                    case Reply.Respond respond -> respond(respond, head);
                    case Reply.Generate generate -> generate(generate, head);
                    case Reply.Reset reset -> {
                        socket.setSoLinger(true, 0);
                        socket.close();
                        return;
                    }
                    case Reply.Blackhole blackhole -> {
                        while (in.read() >= 0) {
                            // swallow whatever comes until the client hangs up
                        }
                        server.clientClosed();
                        return;
                    }
                }
            }
        } catch (IOException e) {
            server.clientClosed();  // reset by the client, or it closed while we wrote
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();  // the server is closing
        }
    }

    private void respond(Reply.Respond reply, boolean head) throws IOException, InterruptedException {
        Thread.sleep(reply.headerDelay());
        List<Map.Entry<String, String>> headers = new ArrayList<>(reply.headers());
        if (headers.stream().noneMatch(header -> header.getKey().equalsIgnoreCase("Content-Length"))) {
            headers.add(Map.entry("Content-Length", Integer.toString(reply.body().length)));
        }
        writeHead(reply.status(), headers);
        if (head) {
            out.flush();
            return;
        }
        for (int offset = 0; offset < reply.body().length; offset += reply.chunkBytes()) {
            int size = Math.min(reply.chunkBytes(), reply.body().length - offset);
            out.write(reply.body(), offset, size);
            out.flush();
            if (offset + size < reply.body().length) {
                Thread.sleep(reply.chunkDelay());
            }
        }
        out.flush();
    }

    private void generate(Reply.Generate reply, boolean head) throws IOException {
        writeHead(reply.status(), List.of(
                Map.entry("Content-Type", "application/octet-stream"),
                reply.chunked() ? Map.entry("Transfer-Encoding", "chunked") : Map.entry("Content-Length", Long.toString(reply.bytes()))));
        byte[] block = new byte[WRITE_BLOCK];
        for (long offset = 0; offset < reply.bytes() && !head; offset += block.length) {
            int size = (int) Math.min(block.length, reply.bytes() - offset);
            for (int i = 0; i < size; i++) {
                block[i] = FaultServer.pattern(offset + i);
            }
            if (reply.chunked()) {
                out.write((Integer.toHexString(size) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            out.write(block, 0, size);
            if (reply.chunked()) {
                out.write(crlf());
            }
        }
        if (reply.chunked() && !head) {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.flush();
    }

    private void writeHead(int status, List<Map.Entry<String, String>> headers) throws IOException {
        StringBuilder head = new StringBuilder("HTTP/1.1 ").append(status).append(" Fault\r\n");
        headers.forEach(header -> head.append(header.getKey()).append(": ").append(header.getValue()).append("\r\n"));
        out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private Optional<RecordedRequest> readRequest() throws IOException {
        Optional<List<String>> lines = readHead();
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Instant arrived = Instant.now();
        String[] requestLine = lines.get().getFirst().split(" ");
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String line : lines.get().subList(1, lines.get().size())) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), name -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        RequestBodyReader body = new RequestBodyReader();
        if (headers.containsKey("content-length")) {
            body.copy(in, Long.parseLong(headers.get("content-length").getFirst()));
        } else if (headers.getOrDefault("transfer-encoding", List.of()).contains("chunked")) {
            body.copyChunked(in);
        }
        return Optional.of(new RecordedRequest(requestLine[0], requestLine[1], Map.copyOf(headers),
                body.head(), body.length(), body.sha256(), arrived));
    }

    /** The request line and header lines; empty when the client closed between requests. */
    private Optional<List<String>> readHead() throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int total = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (total == 0) {
                    return Optional.empty();
                }
                throw new EOFException("connection closed inside a request head");
            }
            if (++total > MAX_HEAD_BYTES) {
                throw new IOException("request head too large");
            }
            if (b == '\n') {
                String text = line.toString(StandardCharsets.ISO_8859_1).stripTrailing();
                line.reset();
                if (text.isEmpty()) {
                    return Optional.of(lines);
                }
                lines.add(text);
            } else {
                line.write(b);
            }
        }
    }

    private static byte[] crlf() {
        return new byte[] {'\r', '\n'};
    }
}
