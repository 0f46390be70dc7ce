package io.beamline.worker.transport;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.beamline.worker.contract.ExecResult;
import io.beamline.worker.contract.Json;
import io.beamline.worker.runtime.Coordinator;
import io.beamline.worker.runtime.Delivery;
import io.nats.client.Connection;
import io.nats.client.JetStreamSubscription;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.PullRequestOptions;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.KeyValueEntry;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable intake (SPEC §7, {@code --transport jetstream}): any number of workers share one
 * durable pull consumer on the work-queue stream. Design, following what JetStream users
 * learned the hard way:
 * <ul>
 *   <li>The worker pulls only when it has room ({@code maxInFlight}): a slot is taken before
 *       work is pulled, so a busy worker leaves messages to the others.</li>
 *   <li>A message is acknowledged only after its outcome was stored by the server (PubAck);
 *       a result's completed-step record, holding the result, is stored before the result
 *       ({@link JetStreamOutcomeSink}). Until then, in-progress acks keep the message from being
 *       redelivered while its step runs.</li>
 *   <li>A redelivered message (the previous holder died, or its ack was lost) is checked
 *       against the completed-step records and the local registry: a finished step is not run
 *       again (its result is published from its record when the holder died before the result
 *       was stored); a step this worker still runs adopts the new delivery.</li>
 *   <li>Work the worker cannot finish (shutdown, overload) is handed back with
 *       {@code nakWithDelay} and a jittered delay (a plain nak ignores the consumer's BackOff).</li>
 *   <li>Pulls expire every second, so a stalled pull (no heartbeat) is replaced by a new one.
 *       One pull is out at a time, on a pull subscription that outlives them: the next goes
 *       out when the server has ended the last, so no message is left unread or dropped.</li>
 * </ul>
 * Thread-safe; one fetch thread per worker.
 */
public final class JetStreamTransport implements Intake {
    private static final Logger log = LoggerFactory.getLogger("transport");
    private static final int BATCH = 128;
    private static final long FETCH_EXPIRES_MS = 1000;
    /** How long past a pull's expiry to wait for the server's word that it ended (lost only by a reconnect). */
    private static final long PULL_END_LOST_MS = 4000;

    private final Connection connection;
    private final Coordinator coordinator;
    private final JetStreamOutcomeSink sink;
    private final JetStreamConfig config;
    private final String workerId;
    private final Set<JetStreamDelivery> inFlight = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean running = new AtomicBoolean();
    private final ScheduledExecutorService keepAlive = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("js-in-progress").daemon(true).factory());
    private final Object room = new Object();
    private KeyValue completed;
    private Thread fetcher;

    public JetStreamTransport(Connection connection, Coordinator coordinator, JetStreamOutcomeSink sink, JetStreamConfig config,
                              String workerId) {
        this.connection = connection;
        this.coordinator = coordinator;
        this.sink = sink;
        this.config = config;
        this.workerId = workerId;
    }

    @Override
    public void start() throws Exception {
        JetStreamSetup.ensure(connection, config);
        completed = connection.keyValue(config.completedBucket());
        MaxDeliveriesWatch.start(connection, config, sink, workerId);
        long every = Math.max(200, config.ackWait().toMillis() / 3);
        keepAlive.scheduleAtFixedRate(this::sendInProgress, every, every, TimeUnit.MILLISECONDS);
        running.set(true);
        fetcher = Thread.ofPlatform().name("js-fetch").daemon(true).start(this::fetchLoop);
        log.info("pulling from {} / {} (at most {} in flight)", config.assignmentStream(), config.consumer(), config.maxInFlight());
    }

    /** Number of deliveries this worker holds and has not settled. */
    public int inFlight() {
        return inFlight.size();
    }

    /**
     * Pulls as long as the worker runs, one pull request at a time, sized to the room left, so
     * that the worker never holds more than {@code maxInFlight}: the next request goes out only
     * once the server has ended the last one, by filling it or by its expiry status (which
     * makes {@code nextMessage} return null). The subscription outlives the pulls: with a
     * subscription per pull (jnats' FetchConsumer), which ends a pull by the client's own clock,
     * a message the server sent just before the expiry could reach the client after that (a
     * loaded machine, a slow link), and was dropped and left unacknowledged until the AckWait
     * ran out (30 s by default).
     */
    private void fetchLoop() {
        JetStreamSubscription subscription = null;
        int failures = 0;
        while (running.get()) {
            int roomLeft = awaitRoom();
            if (roomLeft == 0) {
                continue;
            }
            try {
                if (subscription == null) {
                    subscription = connection.jetStream().subscribe(null,
                            PullSubscribeOptions.bind(config.assignmentStream(), config.consumer()));
                }
                int asked = Math.min(BATCH, roomLeft);
                subscription.pull(PullRequestOptions.builder(asked).expiresIn(FETCH_EXPIRES_MS).build());
                if (!takeUntilPullEnds(subscription, asked)) {
                    // no word from the server: the pull may still be out, and its status would end
                    // the next one early; a new subscription (a new inbox) never hears of it
                    subscription = unsubscribe(subscription);
                }
                failures = 0;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failures++;
                if (failures == 1 || failures % 30 == 0) {
                    log.warn("jetstream fetch failed ({} in a row): {}", failures, e.toString());
                }
                subscription = unsubscribe(subscription);  // bound again on the next round
                sleep(Math.min(1000, 50L * failures));
            }
        }
        unsubscribe(subscription);
    }

    /**
     * Receives the pull's messages until it has them all or the server ended the pull (null:
     * its expiry, or another status that ends it). The wait is bounded well beyond the expiry
     * in case the status never comes (a reconnect lost it). False when it gave up waiting.
     */
    private boolean takeUntilPullEnds(JetStreamSubscription subscription, int asked) throws InterruptedException {
        long giveUpAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FETCH_EXPIRES_MS + PULL_END_LOST_MS);
        for (int taken = 0; taken < asked; taken++) {
            long left = giveUpAt - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            Message message = subscription.nextMessage(Duration.ofNanos(left));
            if (message == null) {
                return System.nanoTime() < giveUpAt;
            }
            receive(message);
        }
        return true;
    }

    private static JetStreamSubscription unsubscribe(JetStreamSubscription subscription) {
        if (subscription != null) {
            try {
                subscription.unsubscribe();
            } catch (RuntimeException e) {
                log.debug("jetstream unsubscribe failed: {}", e.toString());
            }
        }
        return null;
    }

    /** Blocks until this worker may hold more deliveries; returns how many (0 when stopping). */
    private int awaitRoom() {
        synchronized (room) {
            while (running.get() && inFlight.size() >= config.maxInFlight()) {
                try {
                    room.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return 0;
                }
            }
        }
        return running.get() ? config.maxInFlight() - inFlight.size() : 0;
    }

    /**
     * Hands the message to admission on a virtual thread of its own: the look-up of its
     * completed-step record is a request to the server, and the fetch thread must not wait for
     * one per message (the lookups of a batch overlap instead).
     */
    private void receive(Message message) {
        JetStreamDelivery delivery = new JetStreamDelivery(message);
        inFlight.add(delivery);
        byte[] data = message.getData() == null ? new byte[0] : message.getData();
        Thread.ofVirtual().name("js-admit").start(() -> {
            try {
                if (answeredBefore(data, delivery)) {
                    return;
                }
                coordinator.onMessage(data, TraceContext.traceparent(message), delivery);
            } catch (RuntimeException e) {
                log.error("unexpected failure handling a JetStream message; it will be redelivered", e);
                delivery.unsettled(e);
            }
        });
    }

    /**
     * Looks up the assignment's completed-step record, written when a worker (any worker)
     * finished it. True when this very message was answered before (the record names its
     * stream sequence; redelivered because the ack was lost or its holder died, also when a
     * consumer whose leader moved counts it as a first delivery): it is settled, after the
     * result is published from the record when the record still holds it (the holder died
     * before the result was stored). For another message with the id
     * (the Router sent a finished assignment again) the delivery is marked, and admission
     * answers it as a duplicate without running it, whichever worker ran it and whatever this
     * one remembers. No record, or none readable: admission decides as usual.
     */
    private boolean answeredBefore(byte[] data, JetStreamDelivery delivery) {
        String id = assignmentId(data);
        if (id == null) {
            return false;
        }
        CompletedRecord record;
        try {
            KeyValueEntry entry = completed.get(CompletedRecord.key(id));
            if (entry == null || entry.getValue() == null) {
                return false;
            }
            record = CompletedRecord.read(entry.getValue());
        } catch (Exception e) {
            log.warn("completed-step record of {} unreadable: {}; admission decides", id, e.toString());
            return false;
        }
        boolean sameMessage = record.sequence() >= 0 ? record.sequence() == delivery.sequence()
                : delivery.message.metaData().deliveredCount() > 1;  // a record written before sequences were kept
        if (!sameMessage) {
            delivery.completedElsewhere = true;
            return false;
        }
        if (record.result() == null) {
            delivery.settle(Optional.empty());
        } else {
            // the worker that ran it died before it knew the result stored: publish it from the record
            Delivery.settleWhenPublished(() -> delivery, Optional.empty(), sink.publishRecorded(id, record));
        }
        return true;
    }

    private void sendInProgress() {
        long threshold = config.ackWait().toMillis() / 3;
        for (JetStreamDelivery delivery : inFlight) {
            delivery.keepAliveIfOlderThan(threshold);
        }
    }

    /** Stops pulling; deliveries already here finish or are handed back by the drain. */
    @Override
    public void stopReceiving() {
        running.set(false);
        if (fetcher != null) {
            try {
                fetcher.join(FETCH_EXPIRES_MS + 2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void awaitSettled(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!inFlight.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (!inFlight.isEmpty()) {
            log.warn("{} JetStream message(s) not settled at shutdown; the server redelivers them", inFlight.size());
        }
    }

    @Override
    public void close() {
        stopReceiving();
        keepAlive.shutdownNow();
    }

    /**
     * The top-level {@code assignment_id} (the last one, as admission reads a repeated field),
     * streamed past without building the document; null when there is none or no JSON object.
     */
    private static String assignmentId(byte[] data) {
        try (JsonParser parser = Json.mapper().getFactory().createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String id = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("assignment_id".equals(field)) {
                    id = value == JsonToken.VALUE_STRING ? parser.getText() : null;
                }
                parser.skipChildren();
            }
            return id;
        } catch (Exception e) {
            return null;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One JetStream message on its way to its outcome. */
    private final class JetStreamDelivery implements Delivery {
        private final Message message;
        /** Set before admission sees it: the assignment's result was stored for another message. */
        private volatile boolean completedElsewhere;
        private final long receivedNanos = System.nanoTime();
        private final AtomicBoolean done = new AtomicBoolean();

        JetStreamDelivery(Message message) {
            this.message = message;
        }

        /** The outcome, and for a result its completed-step record, are stored (the sink wrote both): acknowledge. */
        @Override
        public void settle(Optional<ExecResult> result) {
            finish(message::ack);
        }

        @Override
        public void unsettled(Throwable cause) {
            // back off with the delivery count, so that an outcome stream that is down for a
            // while does not use up MaxDeliver within seconds
            long delivered = Math.max(1, message.metaData().deliveredCount());
            Duration delay = Duration.ofMillis(Math.min(60_000, 1000L << Math.min(6, delivered)));
            log.warn("outcome of a JetStream message not stored ({}); redelivery in {} ms", cause.toString(), delay.toMillis());
            finish(() -> message.nakWithDelay(delay));
        }

        @Override
        public boolean handBack(Duration delay) {
            finish(() -> message.nakWithDelay(delay));
            return true;
        }

        @Override
        public boolean handsBack() {
            return true;
        }

        @Override
        public long sequence() {
            return message.metaData().streamSequence();
        }

        @Override
        public boolean completedElsewhere() {
            return completedElsewhere;
        }

        void keepAliveIfOlderThan(long millis) {
            if (!done.get() && (System.nanoTime() - receivedNanos) / 1_000_000 > millis) {
                try {
                    Uninterrupted.run(message::inProgress);
                } catch (RuntimeException e) {
                    // the connection is down: the next round tries again (an exception escaping
                    // the scheduled task would end every later round)
                    log.debug("in-progress ack failed: {}", e.toString());
                }
            }
        }

        @Override
        public void superseded() {
            if (done.compareAndSet(false, true)) {
                release();
            }
        }

        private void finish(Runnable settle) {
            if (done.compareAndSet(false, true)) {
                try {
                    Uninterrupted.run(settle);
                } catch (RuntimeException e) {
                    log.warn("settling a JetStream message failed: {}", e.toString());
                }
                release();
            }
        }

        private void release() {
            inFlight.remove(this);
            synchronized (room) {
                room.notifyAll();
            }
        }
    }
}
