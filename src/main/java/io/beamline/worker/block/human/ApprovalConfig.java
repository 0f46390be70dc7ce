package io.beamline.worker.block.human;

import io.beamline.worker.config.ConfigException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/**
 * Configuration of the {@code human.approval} block. Immutable; validated when built, so a bad
 * value stops the worker at start-up with a message naming the option.
 *
 * @param publicUrl      base URL under which approvers reach the worker's HTTP server (decision
 *                       links are {@code <publicUrl>/approvals/ui?...}); no query, no fragment,
 *                       no trailing slash
 * @param defaultTimeout deadline of an approval whose job has no {@code timeout_ms}
 * @param retention      how long finished approvals (and their audit trail) are kept before
 *                       they are purged from the store
 */
public record ApprovalConfig(String publicUrl, Duration defaultTimeout, Duration retention) {
    /** Same ceiling as the decoder's {@code timeout_ms}: 30 days. */
    static final Duration MAX_TIMEOUT = Duration.ofDays(30);

    public ApprovalConfig {
        publicUrl = checkedPublicUrl(publicUrl);
        if (defaultTimeout == null || defaultTimeout.isNegative() || defaultTimeout.isZero()
                || defaultTimeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new ConfigException("--approval-default-timeout-ms must be > 0 and at most 30 days, got "
                    + (defaultTimeout == null ? "nothing" : defaultTimeout.toMillis()));
        }
        if (retention == null || retention.isNegative() || retention.isZero()) {
            throw new ConfigException("--approval-retention-days must be > 0, got "
                    + (retention == null ? "nothing" : retention.toDays()));
        }
    }

    /** Production defaults: 24 h deadline when the job names none, finished approvals kept 30 days. */
    public static ApprovalConfig defaults(String publicUrl) {
        return new ApprovalConfig(publicUrl, Duration.ofHours(24), Duration.ofDays(30));
    }

    private static String checkedPublicUrl(String url) {
        String problem = "--public-url must be an absolute http:// or https:// URL (a port of 1-65535 if any) without user"
                + " info, query or fragment, got \""
                + url + "\"";
        if (url == null) {
            throw new ConfigException(problem);
        }
        try {
            URI uri = new URI(url);
            boolean web = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
            // links built from it go to approvers: a password in it would be in every notification
            if (!web || uri.getHost() == null || uri.getRawQuery() != null || uri.getRawFragment() != null
                    || uri.getRawUserInfo() != null || uri.getPort() == 0 || uri.getPort() > 65535) {
                throw new ConfigException(problem);
            }
        } catch (URISyntaxException e) {
            throw new ConfigException(problem, e);
        }
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
