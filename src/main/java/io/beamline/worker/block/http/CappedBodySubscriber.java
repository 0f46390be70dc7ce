package io.beamline.worker.block.http;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into memory without ever holding more than a fixed number of bytes.
 * Two uses: {@link #inline} keeps the whole body and fails with
 * {@link ResponseTooLargeException} once it passes the limit (or at once when
 * {@code Content-Length} already says so); {@link #snippet} keeps only the first bytes and reads
 * on, to leave the connection reusable, until a drain limit, where it stops quietly.
 *
 * <p>Thread-safety: the HTTP client calls it as a reactive-streams subscriber, one signal at a
 * time; the result future is safe to read from any thread.
 */
final class CappedBodySubscriber implements BodySubscriber<ResponseBody> {
    private static final int INITIAL_CAPACITY = 8 * 1024;
    /** A declared length is trusted for pre-sizing only up to this much. */
    private static final long MAX_PREALLOCATION = 1024 * 1024;

    private final CompletableFuture<ResponseBody> result = new CompletableFuture<>();
    private final long limit;
    private final int keep;
    private final boolean failWhenOver;
    private final OptionalLong declaredLength;
    private final ByteArrayOutputStream kept;
    private long received;
    private Flow.Subscription subscription;

    private CappedBodySubscriber(long limit, int keep, boolean failWhenOver, OptionalLong declaredLength) {
        this.limit = limit;
        this.keep = keep;
        this.failWhenOver = failWhenOver;
        this.declaredLength = declaredLength;
        long expected = Math.min(keep, declaredLength.orElse(INITIAL_CAPACITY));
        this.kept = new ByteArrayOutputStream((int) Math.min(expected, MAX_PREALLOCATION));
    }

    /** The whole body, refused once it exceeds {@code limit} bytes. */
    static CappedBodySubscriber inline(long limit, OptionalLong declaredLength) {
        return new CappedBodySubscriber(limit, (int) limit, true, declaredLength);
    }

    /** The first {@code keep} bytes; reading stops without error after {@code drainLimit} bytes. */
    static CappedBodySubscriber snippet(int keep, long drainLimit) {
        return new CappedBodySubscriber(drainLimit, keep, false, OptionalLong.empty());
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (failWhenOver && declaredLength.isPresent() && declaredLength.getAsLong() > limit) {
            subscription.cancel();
            result.completeExceptionally(new ResponseTooLargeException(limit, "declared Content-Length " + declaredLength.getAsLong(), false));
            return;
        }
        subscription.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer buffer : buffers) {
            int length = buffer.remaining();
            received += length;
            int room = keep - kept.size();
            if (room > 0) {
                byte[] chunk = new byte[Math.min(room, length)];
                buffer.get(chunk);
                kept.writeBytes(chunk);
            }
            if (received > limit) {
                subscription.cancel();
                if (failWhenOver) {
                    result.completeExceptionally(new ResponseTooLargeException(limit, "response body", false));
                } else {
                    result.complete(new ResponseBody.Snippet(kept.toByteArray(), received > kept.size()));
                }
                return;
            }
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable error) {
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        byte[] bytes = kept.toByteArray();
        result.complete(failWhenOver ? new ResponseBody.Inline(bytes) : new ResponseBody.Snippet(bytes, received > bytes.length));
    }

    @Override
    public CompletionStage<ResponseBody> getBody() {
        return result;
    }
}
