package io.beamline.worker.block.http;

import io.beamline.worker.config.ConfigException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * An IPv4 or IPv6 address block such as {@code 10.0.0.0/8} or {@code fe80::/10}; a bare address
 * is a block of one. Parsing never consults DNS: only address literals are accepted. Immutable
 * and thread-safe.
 */
public record Cidr(InetAddress network, int prefixLength) {
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    public Cidr {
        int bits = network.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > bits) {
            throw new ConfigException("CIDR prefix length must be 0.." + bits + ", got " + prefixLength);
        }
    }

    /**
     * Parses {@code address[/prefix]}. {@code option} names the configuration option in the
     * error message.
     */
    public static Cidr parse(String text, String option) {
        String trimmed = text.trim();
        int slash = trimmed.indexOf('/');
        String address = slash < 0 ? trimmed : trimmed.substring(0, slash);
        InetAddress network = literal(address, option, text);
        int bits = network.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(trimmed.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new ConfigException(option + " has a bad CIDR prefix in \"" + text + "\"");
            }
        }
        if (prefix < 0 || prefix > bits) {
            throw new ConfigException(option + " CIDR prefix must be 0.." + bits + ", got \"" + text + "\"");
        }
        return new Cidr(network, prefix);
    }

    /** Whether {@code text} looks like an address block rather than a host name. */
    static boolean looksLikeCidr(String text) {
        String address = text.contains("/") ? text.substring(0, text.indexOf('/')) : text;
        return address.contains(":") || IPV4_LITERAL.matcher(address).matches();
    }

    public boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        byte[] base = network.getAddress();
        if (candidate.length != base.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        if (!Arrays.equals(candidate, 0, fullBytes, base, 0, fullBytes)) {
            return false;
        }
        int remainingBits = prefixLength % 8;
        if (remainingBits == 0) {
            return true;
        }
        int mask = (0xff << (8 - remainingBits)) & 0xff;
        return (candidate[fullBytes] & mask) == (base[fullBytes] & mask);
    }

    private static InetAddress literal(String address, String option, String text) {
        try {
            if (address.contains(":")) {
                // Brackets make the JDK parse an IPv6 literal and never fall back to DNS.
                return InetAddress.getByName("[" + address + "]");
            }
            if (IPV4_LITERAL.matcher(address).matches()) {
                byte[] bytes = new byte[4];
                String[] parts = address.split("\\.");
                for (int i = 0; i < 4; i++) {
                    int part = Integer.parseInt(parts[i]);
                    if (part > 255) {
                        throw new UnknownHostException(address);
                    }
                    bytes[i] = (byte) part;
                }
                return InetAddress.getByAddress(bytes);
            }
        } catch (UnknownHostException e) {
            // fall through to the common message
        }
        throw new ConfigException(option + " expects an IP address or CIDR, got \"" + text + "\"");
    }

    @Override
    public String toString() {
        return network.getHostAddress() + "/" + prefixLength;
    }
}
