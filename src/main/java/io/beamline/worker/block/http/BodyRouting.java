package io.beamline.worker.block.http;

import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.ResponseInfo;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Decides, once the status and headers of a response are known, how its body is read: a
 * redirect that will be followed is drained and dropped; an error response keeps only a snippet
 * for the error details; a success is streamed to {@code response_to_path} when the job asks for
 * it, else held in memory up to the limit. Immutable; the client calls it once per response.
 */
final class BodyRouting implements BodyHandler<ResponseBody> {
    static final int ERROR_SNIPPET_BYTES = 1024;

    private final HttpConfig config;
    private final RequestSpec spec;
    private final Optional<DownloadSubscriber> download;

    BodyRouting(HttpConfig config, RequestSpec spec, Optional<DownloadSubscriber> download) {
        this.config = config;
        this.spec = spec;
        this.download = download;
    }

    @Override
    public BodySubscriber<ResponseBody> apply(ResponseInfo info) {
        int status = info.statusCode();
        Optional<String> location = info.headers().firstValue("location");
        if (config.followRedirects() && Redirects.next(spec, status, location).isPresent()) {
            return CappedBodySubscriber.snippet(0, config.maxResponseBytes());
        }
        if (status >= 400) {
            return CappedBodySubscriber.snippet(ERROR_SNIPPET_BYTES, config.maxResponseBytes());
        }
        // a HEAD response announces the length of a body it does not carry
        OptionalLong length = spec.method().equals("HEAD")
                ? OptionalLong.empty()
                : info.headers().firstValueAsLong("content-length");
        if (download.isPresent()) {
            return download.get().expecting(length);
        }
        return CappedBodySubscriber.inline(config.maxResponseBytes(), length);
    }
}
