package io.beamline.worker.block.fs;

import io.beamline.worker.block.ConfinedDirectory;
import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Makes a change to a directory's entries (a rename, a deletion) durable by fsyncing the
 * directory itself: without it a crash can forget a rename whose file data was already safe.
 * Stateless.
 */
final class Durability {
    private Durability() {
    }

    static void syncDirectory(ConfinedDirectory directory, OperationDeadline deadline) throws IOException {
        FileChannel channel;
        try {
            channel = directory.openSelf();
        } catch (IOException | UnsupportedOperationException e) {
            return;  // platforms that cannot open a directory (Windows) make renames durable themselves
        }
        try (channel) {
            deadline.watch(channel);
            deadline.check();
            channel.force(true);
        }
    }
}
