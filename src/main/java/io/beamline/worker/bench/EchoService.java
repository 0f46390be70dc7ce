package io.beamline.worker.bench;

import io.beamline.worker.config.Main;
import io.beamline.worker.contract.Subjects;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/**
 * {@code echo}: the ceiling a worker is measured against. It takes assignments like a worker
 * (queue group {@code caf-workers}) and answers each with a fixed accepted ack and a fixed
 * success result that carry its assignment_id, found by a byte scan: no JSON parsing, no
 * validation, no pools, no logging. A message without an id gets a fixed dead letter. What it
 * reaches is what NATS, the client library and the load generator allow on this machine.
 * With {@code --contract-sized} its ack and result are the size and shape of the sandbox
 * worker's answer to the load generator's {@code fs.get} (the contract's fields, ~600 bytes a
 * step instead of ~165): that ceiling shows what the contract's bytes cost NATS, the client and
 * the load generator apart from the worker's own work. Stops on SIGTERM or SIGINT (exit 0).
 * Thread-safety: the handler runs on one dispatcher thread.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Reference service for benchmarks: answer every assignment with a fixed ack and result, at once.")
public final class EchoService implements Callable<Integer> {
    private static final byte[] UNREADABLE = bytes("{\"reason\":\"unreadable\",\"error\":{\"code\":1003,\"message\":\"no assignment_id\"}}");

    /** The contract-sized answers' trace id and clock figures, which a real worker varies. */
    static final String FIXED_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final long FIXED_TIME_MS = 1_764_115_200_000L;

    /** The two answers, as fixed pieces with the assignment id put between each two of them. */
    enum Replies {
        /** An id and a status: the least a Router could be answered with. */
        MINIMAL(List.of("{\"assignment_id\":\"", "\",\"status\":\"accepted\",\"message\":\"echo\"}"),
                List.of("{\"assignment_id\":\"", "\",\"status\":\"success\",\"result\":{\"echo\":true},\"latency_ms\":0,\"retries_used\":0}")),
        /**
         * What the sandbox worker sends for the load generator's fs.get (request_id is the
         * assignment id there too); only the clock's figures and the trace id are fixed.
         */
        CONTRACT_SIZED(
                List.of("{\"assignment_id\":\"", "\",\"status\":\"accepted\",\"message\":\"Assignment accepted for execution\","
                        + "\"request_id\":\"", "\",\"trace_id\":\"" + FIXED_TRACE_ID + "\",\"tenant_id\":\"bench-0\","
                        + "\"acknowledged_at\":" + FIXED_TIME_MS + "}"),
                List.of("{\"assignment_id\":\"", "\",\"status\":\"success\",\"result\":{\"path\":\"/bench/small.txt\","
                        + "\"size_bytes\":35,\"content_type\":\"text/plain\",\"content\":\"sandbox content of /bench/small.txt\"},"
                        + "\"latency_ms\":0,\"retries_used\":0,\"metadata\":{\"block_type\":\"fs.get\",\"provider_id\":\"bench\"},"
                        + "\"trace_id\":\"" + FIXED_TRACE_ID + "\",\"tenant_id\":\"bench-0\",\"completed_at\":" + FIXED_TIME_MS + "}"));

        private final byte[][] ack;
        private final byte[][] result;

        Replies(List<String> ack, List<String> result) {
            this.ack = ack.stream().map(EchoService::bytes).toArray(byte[][]::new);
            this.result = result.stream().map(EchoService::bytes).toArray(byte[][]::new);
        }

        /** The ack for the assignment whose id lies at {@code start} in {@code source}. */
        byte[] ack(byte[] source, int start, int length) {
            return splice(ack, source, start, length);
        }

        byte[] result(byte[] source, int start, int length) {
            return splice(result, source, start, length);
        }

        private static byte[] splice(byte[][] pieces, byte[] source, int start, int length) {
            int size = (pieces.length - 1) * length;
            for (byte[] piece : pieces) {
                size += piece.length;
            }
            byte[] out = new byte[size];
            int at = 0;
            for (int i = 0; i < pieces.length; i++) {
                if (i > 0) {
                    System.arraycopy(source, start, out, at, length);
                    at += length;
                }
                System.arraycopy(pieces[i], 0, out, at, pieces[i].length);
                at += pieces[i].length;
            }
            return out;
        }
    }

    @Option(names = "--nats-url", paramLabel = "URL[,URL...]",
            description = "NATS server(s) (env NATS_URL; default: nats://localhost:4222).")
    String natsUrl;

    @Option(names = "--contract-sized",
            description = "Answer with an ack and a result the size and shape of the sandbox worker's for the load generator's fs.get.")
    boolean contractSized;

    @Override
    public Integer call() throws InterruptedException {
        String urls = natsUrl != null ? natsUrl : System.getenv().getOrDefault("NATS_URL", "nats://localhost:4222");
        Connection connection;
        try {
            connection = Nats.connect(new Options.Builder().servers(urls.split(",")).connectionName("beamline-echo")
                    .connectionTimeout(Duration.ofSeconds(5)).maxMessagesInOutgoingQueue(200_000).build());
        } catch (IOException e) {
            System.err.println("beamline-worker echo: " + io.beamline.worker.contract.Redaction.natsConnectFailure(urls, e));
            return Main.EXIT_CONNECTION_LOST;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            // a handled signal lets the command end normally (exit 0), like serve does
            Signal.handle(new Signal(name), signal -> stopRequested.countDown());
        }
        start(connection, contractSized ? Replies.CONTRACT_SIZED : Replies.MINIMAL);
        System.err.println("beamline-worker echo: answering " + Subjects.ASSIGN + " in queue group " + Subjects.QUEUE_GROUP);
        stopRequested.await();
        close(connection);
        return Main.EXIT_OK;
    }

    /** Subscribes the minimal echo handler on {@code connection}; closing the dispatcher stops it. */
    static Dispatcher start(Connection connection) throws InterruptedException {
        return start(connection, Replies.MINIMAL);
    }

    static Dispatcher start(Connection connection, Replies replies) throws InterruptedException {
        Dispatcher dispatcher = connection.createDispatcher(message -> answer(connection, message, replies));
        dispatcher.setPendingLimits(-1, -1);
        dispatcher.subscribe(Subjects.ASSIGN, Subjects.QUEUE_GROUP);
        try {
            connection.flush(Duration.ofSeconds(5));
        } catch (TimeoutException e) {
            throw new IllegalStateException("NATS did not confirm the echo subscription", e);
        }
        return dispatcher;
    }

    private static void answer(Connection connection, Message message, Replies replies) {
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        long range = JsonScan.stringRange(data, JsonScan.ASSIGNMENT_ID);
        if (range < 0) {
            connection.publish(Subjects.DEAD_LETTER, UNREADABLE);
            return;
        }
        int start = (int) (range >>> 32);
        int length = (int) range - start;
        connection.publish(Subjects.ACK, replies.ack(data, start, length));
        connection.publish(Subjects.RESULT, replies.result(data, start, length));
    }

    private static void close(Connection connection) {
        try {
            connection.flush(Duration.ofSeconds(2));
        } catch (TimeoutException | InterruptedException e) {
            // exiting anyway: what is not flushed is lost, as it would be for a killed worker
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
