package io.beamline.worker.contract;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.util.BufferRecycler;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JsonBufferPoolTest {
    private final JsonBufferPool pool = new JsonBufferPool();

    @Test
    void virtualThreadsShareBuffersThatAnotherVirtualThreadGaveBack() throws Exception {
        BufferRecycler first = onVirtualThread(() -> {
            BufferRecycler recycler = pool.acquireAndLinkPooled();
            recycler.releaseToPool();
            return recycler;
        });

        BufferRecycler second = onVirtualThread(pool::acquireAndLinkPooled);

        assertThat(second).isSameAs(first);
    }

    @Test
    void aPlatformThreadKeepsItsOwnBuffers() throws Exception {
        BufferRecycler mine = pool.acquireAndLinkPooled();
        mine.releaseToPool();

        assertThat(pool.acquireAndLinkPooled()).isSameAs(mine);
        assertThat(onVirtualThread(pool::acquireAndLinkPooled)).isNotSameAs(mine);
    }

    @Test
    void jsonWrittenOnVirtualThreadsIsTheSameAsOnPlatformThreads() throws Exception {
        HttpOutput output = HttpOutput.inline(200, "body \"quoted\" é", java.util.Map.of("A", "b"), 3);
        byte[] platform = Json.write(output);

        for (int i = 0; i < 100; i++) {
            assertThat(onVirtualThread(() -> Json.write(output))).isEqualTo(platform);
        }
    }

    private static <T> T onVirtualThread(java.util.concurrent.Callable<T> work) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            try {
                result.set(work.call());
            } catch (Exception e) {
                failure.set(e);
            }
        }).join();
        if (failure.get() != null) {
            throw failure.get();
        }
        return result.get();
    }
}
