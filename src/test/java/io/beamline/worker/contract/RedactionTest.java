package io.beamline.worker.contract;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void userInfoIsHiddenHoweverItIsWritten() {
        assertThat(Redaction.withoutUserInfo("https://user:pa%40ss@host:8443/p?q=a@b#f")).isEqualTo("https://***@b#f")
                .as("cut at the last @: over-hiding a URL that carries user info is fine").doesNotContain("pa%40ss");
        assertThat(Redaction.withoutUserInfo("HTTP://a@b@host/")).isEqualTo("HTTP://***@host/");
        assertThat(Redaction.withoutUserInfo("https://admin:hun/ter2@127.0.0.1:24630/a")).isEqualTo("https://***@127.0.0.1:24630/a");
        assertThat(Redaction.withoutUserInfo("https://admin:hunter2@127.0.0.1:24630/a b")).isEqualTo("https://***@127.0.0.1:24630/a b");
        assertThat(Redaction.withoutUserInfo("http://user:secret@[::1/x")).isEqualTo("http://***@[::1/x");
        assertThat(Redaction.withoutUserInfo("nats://alice:s3cretpw@127.0.0.1:4222")).isEqualTo("nats://***@127.0.0.1:4222");
        assertThat(Redaction.withoutUserInfo("alice:s3cretpw@127.0.0.1:4222")).as("no scheme").isEqualTo("***@127.0.0.1:4222");
        assertThat(Redaction.withoutUserInfo("nats://alice:Sec ret@h:4222")).isEqualTo("nats://***@h:4222");
        assertThat(Redaction.urlsWithoutUserInfo("nats://a:pw1@h1:4222, nats://h2:4222,b:pw2@h3"))
                .isEqualTo("nats://***@h1:4222,nats://h2:4222,***@h3");
        assertThat(Redaction.natsConnectFailure("nats://a:pw1@h1:4222", new java.io.IOException("no servers: [nats://a:pw1@h1:4222]")))
                .isEqualTo("cannot connect to NATS nats://***@h1:4222: no servers: [nats://***@h1:4222]");
    }

    @Test
    void urlsWithoutUserInfoAreKeptWhole() {
        assertThat(Redaction.withoutUserInfo("http://host/path@x")).isEqualTo("http://host/path@x");
        assertThat(Redaction.withoutUserInfo("http://host?x=@")).isEqualTo("http://host?x=@");
        assertThat(Redaction.withoutUserInfo("https://host:8443/p")).isEqualTo("https://host:8443/p");
        assertThat(Redaction.withoutUserInfo("no url at all")).isEqualTo("no url at all");
        assertThat(Redaction.withoutUserInfo(null)).isNull();
    }

    @Test
    void urlsInAMessageLoseTheirUserInfo() {
        assertThat(Redaction.inText("Unable to connect to NATS servers: [nats://alice:pw1@127.0.0.1:4222, tls://b:pw2@h:1]"))
                .isEqualTo("Unable to connect to NATS servers: [nats://***@127.0.0.1:4222, tls://***@h:1]");
        assertThat(Redaction.inText("see http://host/path@x and mail me@example.com")).isEqualTo("see http://host/path@x and mail me@example.com");
    }
}
