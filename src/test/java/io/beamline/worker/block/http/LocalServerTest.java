package io.beamline.worker.block.http;

import io.beamline.worker.block.TenantPaths;
import io.beamline.worker.support.FaultServer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fixture the block's tests share: a fault server on loopback and an {@link HttpBlock} with
 * the default configuration over a fresh data dir, both closed after each test.
 */
abstract class LocalServerTest {
    @TempDir
    Path dataDir;
    FaultServer server;
    HttpBlock block;

    @BeforeEach
    void startServerAndBlock() throws Exception {
        server = FaultServer.start();
        block = new HttpBlock(HttpConfig.defaults(false), new TenantPaths(dataDir));
    }

    @AfterEach
    void closeServerAndBlock() throws Exception {
        block.close();
        server.close();
    }
}
