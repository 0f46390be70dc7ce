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
 * Stops on SIGTERM or SIGINT (exit 0). Thread-safety: the handler runs on one dispatcher thread.
 */
@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Reference service for benchmarks: answer every assignment with a fixed ack and result, at once.")
public final class EchoService implements Callable<Integer> {
    private static final byte[] ACK_HEAD = bytes("{\"assignment_id\":\"");
    private static final byte[] ACK_TAIL = bytes("\",\"status\":\"accepted\",\"message\":\"echo\"}");
    private static final byte[] RESULT_HEAD = ACK_HEAD;
    private static final byte[] RESULT_TAIL = bytes("\",\"status\":\"success\",\"result\":{\"echo\":true},\"latency_ms\":0,\"retries_used\":0}");
    private static final byte[] UNREADABLE = bytes("{\"reason\":\"unreadable\",\"error\":{\"code\":1003,\"message\":\"no assignment_id\"}}");

    @Option(names = "--nats-url", paramLabel = "URL[,URL...]",
            description = "NATS server(s) (env NATS_URL; default: nats://localhost:4222).")
    String natsUrl;

    @Override
    public Integer call() throws InterruptedException {
        String urls = natsUrl != null ? natsUrl : System.getenv().getOrDefault("NATS_URL", "nats://localhost:4222");
        Connection connection;
        try {
            connection = Nats.connect(new Options.Builder().servers(urls.split(",")).connectionName("beamline-echo")
                    .connectionTimeout(Duration.ofSeconds(5)).maxMessagesInOutgoingQueue(200_000).build());
        } catch (IOException e) {
            System.err.println("beamline-worker echo: cannot connect to NATS " + urls + ": " + e.getMessage());
            return Main.EXIT_CONNECTION_LOST;
        }
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String name : new String[] {"TERM", "INT"}) {
            // a handled signal lets the command end normally (exit 0), like serve does
            Signal.handle(new Signal(name), signal -> stopRequested.countDown());
        }
        start(connection);
        System.err.println("beamline-worker echo: answering " + Subjects.ASSIGN + " in queue group " + Subjects.QUEUE_GROUP);
        stopRequested.await();
        close(connection);
        return Main.EXIT_OK;
    }

    /** Subscribes the echo handler on {@code connection}; closing the dispatcher stops it. */
    static Dispatcher start(Connection connection) throws InterruptedException {
        Dispatcher dispatcher = connection.createDispatcher(message -> answer(connection, message));
        dispatcher.setPendingLimits(-1, -1);
        dispatcher.subscribe(Subjects.ASSIGN, Subjects.QUEUE_GROUP);
        try {
            connection.flush(Duration.ofSeconds(5));
        } catch (TimeoutException e) {
            throw new IllegalStateException("NATS did not confirm the echo subscription", e);
        }
        return dispatcher;
    }

    private static void answer(Connection connection, Message message) {
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        long range = JsonScan.stringRange(data, JsonScan.ASSIGNMENT_ID);
        if (range < 0) {
            connection.publish(Subjects.DEAD_LETTER, UNREADABLE);
            return;
        }
        int start = (int) (range >>> 32);
        int length = (int) range - start;
        connection.publish(Subjects.ACK, wrap(ACK_HEAD, data, start, length, ACK_TAIL));
        connection.publish(Subjects.RESULT, wrap(RESULT_HEAD, data, start, length, RESULT_TAIL));
    }

    private static byte[] wrap(byte[] head, byte[] source, int start, int length, byte[] tail) {
        byte[] out = new byte[head.length + length + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(source, start, out, head.length, length);
        System.arraycopy(tail, 0, out, head.length + length, tail.length);
        return out;
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
