package io.beamline.worker.observability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * One scrape of {@code /metrics} in the Prometheus text format (0.0.4), parsed into samples and
 * family types, so tests can ask for a series by name and exact label set. The parser is strict
 * on purpose: a line it cannot read fails the test instead of being skipped. Immutable.
 */
record Exposition(String text, List<Sample> samples, Map<String, String> types) {

    /** One sample line: {@code name{labels} value}. */
    record Sample(String name, Map<String, String> labels, double value) {
    }

    static Exposition parse(String text) {
        List<Sample> samples = new ArrayList<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).trim().split(" ");
                types.put(parts[0], parts[1]);
            } else if (!line.isBlank() && !line.startsWith("#")) {
                samples.add(new SampleLine(line).read());
            }
        }
        return new Exposition(text, List.copyOf(samples), Map.copyOf(types));
    }

    /** Every sample name, as exposed ({@code worker_x_bucket}, {@code worker_y_total}). */
    Set<String> sampleNames() {
        return samples.stream().map(Sample::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** Every label name used by any sample. */
    Set<String> labelNames() {
        return samples.stream().flatMap(s -> s.labels().keySet().stream()).collect(Collectors.toCollection(TreeSet::new));
    }

    List<Sample> series(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    /** The value of the series with exactly these labels ({@code "k", "v", ...}). */
    Optional<Double> value(String name, String... labelPairs) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i < labelPairs.length; i += 2) {
            wanted.put(labelPairs[i], labelPairs[i + 1]);
        }
        return series(name).stream().filter(s -> s.labels().equals(wanted)).map(Sample::value).findFirst();
    }

    /** The sum over every series of {@code name}. */
    double sum(String name) {
        return series(name).stream().mapToDouble(Sample::value).sum();
    }

    /** Reads one sample line; label values may hold escaped quotes, backslashes and newlines. */
    private static final class SampleLine {
        private final String line;
        private int at;

        SampleLine(String line) {
            this.line = line;
        }

        Sample read() {
            int nameEnd = at;
            while (nameEnd < line.length() && line.charAt(nameEnd) != '{' && line.charAt(nameEnd) != ' ') {
                nameEnd++;
            }
            String name = line.substring(0, nameEnd);
            at = nameEnd;
            Map<String, String> labels = new LinkedHashMap<>();
            if (at < line.length() && line.charAt(at) == '{') {
                at++;
                readLabels(labels);
            }
            String[] rest = line.substring(at).trim().split(" ");
            return new Sample(name, Map.copyOf(labels), number(rest[0]));
        }

        private void readLabels(Map<String, String> labels) {
            while (line.charAt(at) != '}') {
                int equals = line.indexOf('=', at);
                String label = line.substring(at, equals).trim();
                at = equals + 1;
                expect('"');
                StringBuilder value = new StringBuilder();
                for (char c = line.charAt(at++); c != '"'; c = line.charAt(at++)) {
                    if (c == '\\') {
                        char escaped = line.charAt(at++);
                        value.append(escaped == 'n' ? '\n' : escaped);
                    } else {
                        value.append(c);
                    }
                }
                labels.put(label, value.toString());
                if (line.charAt(at) == ',') {
                    at++;
                }
            }
            at++;
        }

        private void expect(char c) {
            if (line.charAt(at) != c) {
                throw new IllegalArgumentException("expected '" + c + "' at " + at + " in: " + line);
            }
            at++;
        }

        private static double number(String text) {
            return switch (text) {
                case "+Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> Double.parseDouble(text);
            };
        }
    }
}
