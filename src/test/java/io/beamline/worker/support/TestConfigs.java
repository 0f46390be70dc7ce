package io.beamline.worker.support;

import io.beamline.worker.config.WorkerConfig;
import io.beamline.worker.config.WorkerOptions;
import java.util.Map;
import picocli.CommandLine;

/** Worker configurations for in-process tests, built through the real option parsing. */
public final class TestConfigs {
    private TestConfigs() {
    }

    /** {@code args} as on the command line, {@code env} as the environment (feature flags too). */
    public static WorkerConfig of(Map<String, String> env, String... args) {
        WorkerOptions options = new WorkerOptions();
        new CommandLine(options).parseArgs(args);
        return options.toConfig(env);
    }

    public static WorkerConfig sandbox(String... args) {
        return of(Map.of("WORKER_SANDBOX_MODE", "true"), args);
    }
}
