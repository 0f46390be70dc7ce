package io.beamline.worker.block.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.config.ConfigException;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy's verdicts on names and resolved addresses (no lookups: literals only). */
class DestinationPolicyTest {

    @Test
    void wildcardMatchesSubdomainsButNotTheDomainItself() {
        DestinationPolicy policy = DestinationPolicy.of(List.of(), List.of("*.example.com"), false);

        assertThat(policy.refusalByName("api.example.com")).isPresent();
        assertThat(policy.refusalByName("a.b.example.com")).isPresent();
        assertThat(policy.refusalByName("example.com")).isEmpty();
        assertThat(policy.refusalByName("badexample.com")).isEmpty();
    }

    @Test
    void hostNamesMatchCaseInsensitivelyAndIgnoreATrailingDot() {
        DestinationPolicy policy = DestinationPolicy.of(List.of(), List.of("Intranet.Example.com"), false);

        assertThat(policy.refusalByName("INTRANET.example.COM.")).isPresent();
    }

    @Test
    void metadataAddressesAreDeniedEvenWhenAllowListed() throws Exception {
        DestinationPolicy policy = DestinationPolicy.of(List.of("169.254.0.0/16", "metadata.internal"), List.of(), false);

        assertThat(policy.refusal("metadata.internal", List.of(address("169.254.169.254")))).isPresent();
    }

    @Test
    void anyDeniedAddressAmongSeveralRefusesTheHost() throws Exception {
        DestinationPolicy policy = DestinationPolicy.open();

        assertThat(policy.refusal("rebind.example", List.of(address("127.0.0.1"), address("169.254.169.254")))).isPresent();
    }

    @Test
    void metadataAddressHiddenInNat64OrIpv4CompatibleFormIsDenied() throws Exception {
        DestinationPolicy policy = DestinationPolicy.open();

        assertThat(policy.refusal("x", List.of(address("64:ff9b::a9fe:a9fe")))).isPresent();
        assertThat(policy.refusal("x", List.of(address("::a9fe:a9fe")))).isPresent();
    }

    @Test
    void allowListOfBlocksAdmitsOnlyAddressesInside() throws Exception {
        DestinationPolicy policy = DestinationPolicy.of(List.of("10.1.0.0/16", "2001:db8::/32"), List.of(), false);

        assertThat(policy.refusal("svc", List.of(address("10.1.2.3")))).isEmpty();
        assertThat(policy.refusal("svc", List.of(address("2001:db8::7")))).isEmpty();
        assertThat(policy.refusal("svc", List.of(address("10.2.0.1")))).isPresent();
        assertThat(policy.refusal("svc", List.of(address("10.1.2.3"), address("10.2.0.1")))).isPresent();
    }

    @Test
    void privateRangesAreAllowedUnlessDenied() throws Exception {
        List<InetAddress> internal = List.of(address("10.0.0.5"), address("192.168.1.1"), address("::1"), address("fd12::1"));

        assertThat(DestinationPolicy.open().refusal("svc", internal)).isEmpty();
        for (InetAddress each : internal) {
            assertThat(DestinationPolicy.of(List.of(), List.of(), true).refusal("svc", List.of(each))).isPresent();
        }
    }

    @Test
    void prefixesThatDoNotFallOnByteBoundariesAreHonoured() throws Exception {
        Cidr block = Cidr.parse("172.16.0.0/12", "--http-deny");

        assertThat(block.contains(address("172.31.255.255"))).isTrue();
        assertThat(block.contains(address("172.32.0.0"))).isFalse();
        assertThat(block.contains(address("::ffff:172.20.0.1"))).isTrue();
        assertThat(block.contains(address("fe80::1"))).isFalse();
    }

    @Test
    void badEntriesAreRejectedNamingTheOption() {
        assertThatThrownBy(() -> DestinationPolicy.of(List.of(), List.of("10.0.0.0/33"), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--http-deny");
        assertThatThrownBy(() -> DestinationPolicy.of(List.of("*."), List.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--http-allow");
        assertThatThrownBy(() -> DestinationPolicy.of(List.of("300.1.1.1"), List.of(), false))
                .isInstanceOf(ConfigException.class).hasMessageContaining("--http-allow");
    }

    /** Literals only: getByName never consults DNS for them. */
    private static InetAddress address(String literal) throws Exception {
        return InetAddress.getByName(literal.contains(":") ? "[" + literal + "]" : literal);
    }
}
