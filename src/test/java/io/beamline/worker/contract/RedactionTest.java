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
    }

    @Test
    void urlsWithoutUserInfoAreKeptWhole() {
        assertThat(Redaction.withoutUserInfo("http://host/path@x")).isEqualTo("http://host/path@x");
        assertThat(Redaction.withoutUserInfo("http://host?x=@")).isEqualTo("http://host?x=@");
        assertThat(Redaction.withoutUserInfo("https://host:8443/p")).isEqualTo("https://host:8443/p");
        assertThat(Redaction.withoutUserInfo("not a url @ all")).isEqualTo("not a url @ all");
        assertThat(Redaction.withoutUserInfo(null)).isNull();
    }
}
