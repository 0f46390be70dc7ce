package io.beamline.worker.resilience;

import io.beamline.worker.contract.ExecAssignment;
import io.beamline.worker.contract.FsDeleteJob;
import io.beamline.worker.contract.FsGetJob;
import io.beamline.worker.contract.FsPutJob;
import io.beamline.worker.contract.HttpRequestJob;
import io.beamline.worker.contract.HumanApprovalJob;
import io.beamline.worker.contract.SqlQueryJob;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Names the destination a step calls out to, the unit of circuit breaking and retry budgets:
 * an HTTP endpoint ({@code scheme://host:port}), a filesystem path prefix (tenant and first
 * directory), a database connection. Approvals have none. Stateless.
 */
public final class Destinations {
    private Destinations() {
    }

    public static Optional<String> of(ExecAssignment assignment) {
        return switch (assignment.job()) {
            case HttpRequestJob http -> httpEndpoint(http.url());
            case FsPutJob put -> Optional.of(fsPrefix(assignment.tenantId(), put.path()));
            case FsGetJob get -> Optional.of(fsPrefix(assignment.tenantId(), get.path()));
            case FsDeleteJob delete -> Optional.of(fsPrefix(assignment.tenantId(), delete.path()));
            case SqlQueryJob sql -> Optional.of("sql:" + (sql.connectionString().startsWith("sqlite://")
                    ? assignment.tenantId() + "/" + sql.connectionString() : sql.connectionString()));
            case HumanApprovalJob approval -> Optional.empty();
        };
    }

    static Optional<String> httpEndpoint(String url) {
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null) {
                return Optional.empty();
            }
            String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
            int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
            return Optional.of(scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    static String fsPrefix(String tenantId, String path) {
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        String relative = path.substring(start);
        int slash = relative.indexOf('/');
        return "fs:" + tenantId + "/" + (slash < 0 ? "" : relative.substring(0, slash));
    }
}
