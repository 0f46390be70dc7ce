package io.beamline.worker.contract;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * What the worker repeats of a URL where others read it (results, dead letters, logs, the
 * health endpoint): never its user info, which may hold a password. Stateless.
 */
public final class Redaction {
    private Redaction() {
    }

    /**
     * {@code url} with everything between {@code ://} and its user info's {@code @} replaced by
     * {@code ***}. A URL that parses with a host and no user info is kept whole (an {@code @} in
     * its path or query is no user info); any other is cut at its last {@code @}, which hides a
     * password even when it holds {@code /}, {@code ?} or {@code #} and the URL does not parse.
     */
    public static String withoutUserInfo(String url) {
        if (url == null) {
            return null;
        }
        int scheme = url.indexOf("://");
        int at = url.lastIndexOf('@');
        if (scheme < 0 || at < scheme) {
            return url;
        }
        try {
            URI uri = new URI(url);
            if (uri.getHost() != null && uri.getRawUserInfo() == null) {
                return url;
            }
        } catch (URISyntaxException e) {
            // cut below
        }
        return url.substring(0, scheme + 3) + "***" + url.substring(at);
    }
}
