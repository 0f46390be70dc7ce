package io.beamline.worker.config;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code beamline-worker}: the command line (SPEC §3). Exit codes: 0 success, 1 failure at
 * run time, 2 bad usage or configuration, 3 NATS connection lost for good.
 */
@Command(name = "beamline-worker",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Executes Flow DSL steps (HTTP, filesystem, SQL, human approval) assigned over NATS.",
        subcommands = {ServeCommand.class, RunCommand.class, SubmitCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Feature flags (environment variables; true, 1 or yes turns one on):",
                "  CP2_ADVANCED_RETRY_ENABLED   CP2_COMPLETE_TIMEOUT_ENABLED   CP2_CANCELLATION_ENABLED",
                "  CP2_QUEUE_MANAGEMENT_ENABLED CP2_CIRCUIT_BREAKER_ENABLED    CP2_OBSERVABILITY_METRICS_ENABLED",
                "Logs: JSON lines on stderr; level from WORKER_LOG_LEVEL (default INFO).",
                "Exit codes: 0 ok, 1 failure, 2 usage or configuration error, 3 NATS connection lost for good."})
public final class Main implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_CONNECTION_LOST = 3;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        java.util.Optional<String> badLevel = checkLogLevel(System.getenv("WORKER_LOG_LEVEL"));
        if (badLevel.isPresent()) {
            System.err.println("beamline-worker: " + badLevel.get());
            System.exit(EXIT_USAGE);
        }
        // libraries that log through java.util.logging (OpenTelemetry SDK, drivers) join the JSON logs
        org.slf4j.bridge.SLF4JBridgeHandler.removeHandlersForRootLogger();
        org.slf4j.bridge.SLF4JBridgeHandler.install();
        int code;
        try {
            code = commandLine().execute(args);
        } catch (Throwable unexpected) {
            // A bug, or classes that no longer load (the jar rebuilt in place under a running
            // worker, found at shutdown): the process must still end, or the NATS client's
            // threads keep it alive, serving nothing, until someone kills it.
            unexpected.printStackTrace();
            code = EXIT_FAILURE;
        }
        System.exit(code);
    }

    private static final java.util.List<String> LOG_LEVELS = java.util.List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    /**
     * Checks {@code WORKER_LOG_LEVEL} before the first log line and hands the level to the logging
     * configuration (as the system property of that name, which it reads first). Unchecked,
     * Logback took any word it did not know for DEBUG: a typo turned on the most verbose logs.
     * Blank is unset (INFO). The problem, if any.
     */
    static java.util.Optional<String> checkLogLevel(String value) {
        String level = value == null || value.isBlank() ? "INFO" : value.strip().toUpperCase(java.util.Locale.ROOT);
        if (!LOG_LEVELS.contains(level)) {
            return java.util.Optional.of("WORKER_LOG_LEVEL must be one of " + String.join(", ", LOG_LEVELS) + ", got \"" + value + "\"");
        }
        System.setProperty("WORKER_LOG_LEVEL", level);
        return java.util.Optional.empty();
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .addSubcommand(new io.beamline.worker.bench.LoadgenCommand()).addSubcommand(new io.beamline.worker.bench.EchoService())
                .addSubcommand(new io.beamline.worker.bench.FaultTargetCommand())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    if (e instanceof ConfigException) {
                        cmd.getErr().println("beamline-worker: " + e.getMessage());
                        return EXIT_USAGE;
                    }
                    throw e;
                });
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"beamline-worker " + (version == null ? "dev" : version)};
        }
    }
}
