package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.config.ConfigException;
import java.util.Collections;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class JobMixTest {

    @Test
    void aSingleTypeIsAllThatIsSent() {
        JobMix mix = JobMix.parse("fs.get");

        assertThat(LongStream.range(0, 10).mapToObj(mix::typeOf)).containsOnly("fs.get");
    }

    @Test
    void weightsSetTheProportionsWithinEveryCycle() {
        JobMix mix = JobMix.parse("http.request=1, fs.get=3");
        List<String> first = LongStream.range(0, 4).mapToObj(mix::typeOf).toList();

        assertThat(Collections.frequency(first, "fs.get")).isEqualTo(3);
        assertThat(Collections.frequency(first, "http.request")).isEqualTo(1);
        assertThat(mix.types()).containsExactly("http.request", "fs.get");
    }

    @Test
    void equalWeightsAlternateSoAShortRunSeesEveryType() {
        JobMix mix = JobMix.parse("http.request=2,fs.get=2,fs.put=2,sql.query=2");

        assertThat(LongStream.range(0, 4).mapToObj(mix::typeOf))
                .containsExactly("http.request", "fs.get", "fs.put", "sql.query");
    }

    @Test
    void aTypeWithWeightZeroIsNeverSent() {
        JobMix mix = JobMix.parse("fs.get=1,fs.put=0");

        assertThat(LongStream.range(0, 10).mapToObj(mix::typeOf)).containsOnly("fs.get");
    }

    @Test
    void unknownTypesBadWeightsAndRepeatsAreRefusedNamingTheOption() {
        assertThatThrownBy(() -> JobMix.parse("fs.gett")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--mix").hasMessageContaining("fs.gett");
        assertThatThrownBy(() -> JobMix.parse("fs.get=-1")).isInstanceOf(ConfigException.class).hasMessageContaining("--mix");
        assertThatThrownBy(() -> JobMix.parse("fs.get=lots")).isInstanceOf(ConfigException.class).hasMessageContaining("--mix");
        assertThatThrownBy(() -> JobMix.parse("fs.get=0")).isInstanceOf(ConfigException.class).hasMessageContaining("--mix");
        assertThatThrownBy(() -> JobMix.parse("fs.get,fs.get=2")).isInstanceOf(ConfigException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> JobMix.parse("")).isInstanceOf(ConfigException.class).hasMessageContaining("--mix");
        assertThatThrownBy(() -> JobMix.parse("fs.get=1,fs.put=99999")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("--mix");
    }
}
