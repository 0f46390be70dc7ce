package io.beamline.worker.config;

import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * Turns SIGTERM and SIGINT into a request for a graceful stop instead of an immediate JVM exit,
 * so the command can drain and exit 0 (SPEC §7). A second signal is not special: the drain has
 * its own grace period.
 */
final class ShutdownSignal {
    private static final Logger log = LoggerFactory.getLogger("worker");
    private final CountDownLatch requested = new CountDownLatch(1);

    static ShutdownSignal install() {
        ShutdownSignal signal = new ShutdownSignal();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> {
                log.info("received SIG{}; shutting down gracefully", name);
                signal.requested.countDown();
            });
        }
        return signal;
    }

    CountDownLatch requested() {
        return requested;
    }
}
