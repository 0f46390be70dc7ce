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
        if (at < 0) {
            return url;
        }
        if (scheme < 0 || at < scheme) {
            // no scheme before it ("user:pw@host:4222"): whatever precedes the @ may be a password
            return scheme < 0 ? "***" + url.substring(at) : url;
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

    /** A comma-separated list of URLs, each without its user info. */
    public static String urlsWithoutUserInfo(String urls) {
        return String.join(",", java.util.Arrays.stream(urls.split(",", -1)).map(url -> withoutUserInfo(url.strip())).toList());
    }

    /**
     * What a command says when it cannot connect to NATS at {@code urls} (comma-separated): the
     * servers and the client's reason, which names them again, without credentials.
     */
    public static String natsConnectFailure(String urls, Exception e) {
        return "cannot connect to NATS " + urlsWithoutUserInfo(urls) + ": " + inText(e.getMessage());
    }

    private static final java.util.regex.Pattern USER_INFO_IN_TEXT =
            java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^\\s/@\\[\\],]*@");

    /**
     * A message (a library's exception, say) with the user info of every URL in it hidden: the
     * NATS client names the servers it could not reach, credentials and all.
     */
    public static String inText(String text) {
        return text == null ? null : USER_INFO_IN_TEXT.matcher(text).replaceAll("$1***@");
    }
}
