package io.beamline.worker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.beamline.worker.runtime.QuotaConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The --tenant-quotas file: what it sets, and that a file it cannot fully understand stops the start. */
class QuotaFileTest {
    @TempDir
    Path dir;

    private QuotaConfig load(String json) throws Exception {
        return QuotaFile.load(Files.writeString(dir.resolve("quotas.json"), json), 60_000, QuotaConfig.Limits.UNLIMITED);
    }

    @Test
    void tenantsInheritFromTheDefaults() throws Exception {
        QuotaConfig config = load("{\"window_ms\":5000,\"defaults\":{\"max_concurrent\":4},"
                + "\"tenants\":{\"gold\":{\"weight\":3,\"max_executions_per_window\":100}}}");

        assertThat(config.windowMs()).isEqualTo(5000);
        assertThat(config.limitsFor("gold").maxConcurrent()).isEqualTo(4);
        assertThat(config.limitsFor("gold").weight()).isEqualTo(3);
        assertThat(config.limitsFor("gold").maxExecutionsPerWindow()).isEqualTo(100);
        assertThat(config.limitsFor("other").maxConcurrent()).isEqualTo(4);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"tenants\":[{\"a\":1}]}",                              // tenants as an array
            "{\"tenant\":{\"a\":{\"max_concurrent\":1}}}",              // a misspelt top-level key
            "{\"tenants\":{\"a\":{\"max_concurent\":3}}}",              // a misspelt limit
            "{\"tenants\":{\"a\":{\"max_concurrent\":4294967297}}}",    // wrapped to 1 as an int
            "{\"defaults\":{\"weight\":2147483648}}",                   // wrapped to a negative weight
            "{\"tenants\":{\"a\":{\"max_concurrent\":-1}}}",
            "{\"tenants\":{\"a\":{\"max_concurrent\":1}},\"tenants\":{\"b\":{}}}"})  // a's limit silently lost
    void whatTheFileCannotMeanIsAStartUpError(String json) {
        assertThatThrownBy(() -> load(json)).isInstanceOf(ConfigException.class).hasMessageStartingWith("--tenant-quotas");
    }
}
