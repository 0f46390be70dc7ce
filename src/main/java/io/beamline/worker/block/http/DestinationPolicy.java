package io.beamline.worker.block.http;

import io.beamline.worker.config.ConfigException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where {@code http.request} may connect (SPEC §4.1): allow- and deny-lists of host names
 * (exact, or {@code *.suffix} for any sub-domain) and of address blocks. Deny always wins.
 * When an allow-list is set, a destination passes if its host name is allowed or every address
 * it resolves to is in an allowed block. Cloud metadata addresses (link-local
 * {@code 169.254.0.0/16}, {@code fe80::/10} and a few well-known metadata endpoints) are always
 * denied; loopback and private ranges only with {@code denyPrivate}. Immutable and thread-safe.
 *
 * <p>The verdict is on the addresses the host resolves to when checked. The HTTP client resolves
 * the name again when it connects, so a DNS server that answers differently the second time
 * (DNS rebinding) can still steer a request elsewhere; operators who need a hard guarantee must
 * also restrict egress at the network layer.
 */
public record DestinationPolicy(
        List<String> allowHosts,
        List<String> denyHosts,
        List<Cidr> allowCidrs,
        List<Cidr> denyCidrs,
        boolean denyPrivate) {

    /** Metadata services: link-local ranges, AWS's IPv6 endpoint, Alibaba Cloud's endpoint. */
    static final List<Cidr> ALWAYS_DENIED = cidrs("169.254.0.0/16", "fe80::/10", "fd00:ec2::254/128", "100.100.100.200/32");
    static final List<Cidr> PRIVATE = cidrs("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8",
            "172.16.0.0/12", "192.168.0.0/16", "::/128", "::1/128", "fc00::/7");
    private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96", "built-in");

    public DestinationPolicy {
        allowHosts = hostPatterns(allowHosts, "--http-allow");
        denyHosts = hostPatterns(denyHosts, "--http-deny");
        allowCidrs = List.copyOf(allowCidrs);
        denyCidrs = List.copyOf(denyCidrs);
    }

    /** No lists: anything but the metadata addresses may be reached. */
    public static DestinationPolicy open() {
        return new DestinationPolicy(List.of(), List.of(), List.of(), List.of(), false);
    }

    /**
     * Builds a policy from option values, each a host name, {@code *.suffix}, address or CIDR
     * ({@code --http-allow}, {@code --http-deny}).
     */
    public static DestinationPolicy of(List<String> allow, List<String> deny, boolean denyPrivate) {
        return new DestinationPolicy(
                allow.stream().filter(entry -> !Cidr.looksLikeCidr(entry)).toList(),
                deny.stream().filter(entry -> !Cidr.looksLikeCidr(entry)).toList(),
                allow.stream().filter(Cidr::looksLikeCidr).map(entry -> Cidr.parse(entry, "--http-allow")).toList(),
                deny.stream().filter(Cidr::looksLikeCidr).map(entry -> Cidr.parse(entry, "--http-deny")).toList(),
                denyPrivate);
    }

    /** Why {@code host} is refused by name alone, before any DNS lookup. */
    public Optional<String> refusalByName(String host) {
        String name = normalize(host);
        if (name.contains("%")) {
            return Optional.of("scoped IPv6 addresses are not allowed: " + host);
        }
        if (denyHosts.stream().anyMatch(pattern -> matches(pattern, name))) {
            return Optional.of("host " + host + " is on the deny-list");
        }
        if (!allowHosts.isEmpty() && allowCidrs.isEmpty() && !hostAllowed(name)) {
            return Optional.of("host " + host + " is not on the allow-list");
        }
        return Optional.empty();
    }

    /** Why a request to {@code host}, which resolved to {@code addresses}, is refused. */
    public Optional<String> refusal(String host, List<InetAddress> addresses) {
        Optional<String> byName = refusalByName(host);
        if (byName.isPresent()) {
            return byName;
        }
        boolean restricted = !allowHosts.isEmpty() || !allowCidrs.isEmpty();
        boolean nameAllowed = hostAllowed(normalize(host));
        for (InetAddress address : addresses) {
            for (InetAddress candidate : withEmbedded(address)) {
                if (denied(candidate)) {
                    return Optional.of(host + " resolves to denied address " + candidate.getHostAddress());
                }
            }
            if (restricted && !nameAllowed && allowCidrs.stream().noneMatch(cidr -> cidr.contains(address))) {
                return Optional.of(host + " resolves to " + address.getHostAddress() + ", which is not on the allow-list");
            }
        }
        return Optional.empty();
    }

    private boolean denied(InetAddress address) {
        return ALWAYS_DENIED.stream().anyMatch(cidr -> cidr.contains(address))
                || denyCidrs.stream().anyMatch(cidr -> cidr.contains(address))
                || (denyPrivate && PRIVATE.stream().anyMatch(cidr -> cidr.contains(address)));
    }

    private boolean hostAllowed(String name) {
        return allowHosts.stream().anyMatch(pattern -> matches(pattern, name));
    }

    /** The address plus the IPv4 address an IPv4-compatible or NAT64 IPv6 address carries. */
    private static List<InetAddress> withEmbedded(InetAddress address) {
        List<InetAddress> all = new ArrayList<>(List.of(address));
        if (address instanceof Inet6Address v6 && (v6.isIPv4CompatibleAddress() || NAT64.contains(v6))) {
            try {
                all.add(InetAddress.getByAddress(Arrays.copyOfRange(v6.getAddress(), 12, 16)));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("four bytes are always an IPv4 address", e);
            }
        }
        return all;
    }

    private static boolean matches(String pattern, String name) {
        return pattern.startsWith("*.") ? name.endsWith(pattern.substring(1)) : name.equals(pattern);
    }

    private static String normalize(String host) {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.startsWith("[") && name.endsWith("]")) {
            name = name.substring(1, name.length() - 1);
        }
        return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    }

    private static List<String> hostPatterns(List<String> patterns, String option) {
        for (String pattern : patterns) {
            String body = pattern.startsWith("*.") ? pattern.substring(2) : pattern;
            if (body.isBlank() || body.contains("*") || body.contains("/") || body.contains(" ")) {
                throw new ConfigException(option + " expects a host, *.domain, address or CIDR, got \"" + pattern + "\"");
            }
        }
        return patterns.stream().map(DestinationPolicy::normalize).toList();
    }

    private static List<Cidr> cidrs(String... blocks) {
        return Arrays.stream(blocks).map(block -> Cidr.parse(block, "built-in")).toList();
    }
}
