package io.beamline.worker.config;

import java.net.InetSocketAddress;

/** A {@code host:port} listen address; port 0 asks the system for a free port. */
public record Endpoint(String host, int port) {

    public static Endpoint parse(String option, String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new ConfigException(option + " must be host:port, got \"" + text + "\"");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException(option + " must be host:port with a numeric port, got \"" + text + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException(option + " port must be 0-65535, got " + port);
        }
        return new Endpoint(host, port);
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return host + ":" + port;
    }
}
