package io.beamline.worker.bench;

import io.beamline.worker.config.ConfigException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which block types the load generator sends and in what proportion, from {@code --mix}
 * ("fs.get" or "http.request=1,fs.get=3"). The choice is a fixed cycle, not random, so two runs
 * with the same options send the same sequence. Immutable and thread-safe.
 */
record JobMix(Map<String, Integer> weights, List<String> cycle) {
    static final Set<String> TYPES = Set.of("http.request", "fs.get", "fs.put", "fs.delete", "sql.query", "human.approval");
    private static final int MAX_CYCLE = 10_000;

    JobMix {
        weights = Collections.unmodifiableMap(new LinkedHashMap<>(weights));  // keeps the given order
        cycle = List.copyOf(cycle);
    }

    static JobMix parse(String text) {
        Map<String, Integer> weights = new LinkedHashMap<>();
        for (String part : text.split(",")) {
            String entry = part.trim();
            int equals = entry.indexOf('=');
            String type = equals < 0 ? entry : entry.substring(0, equals).trim();
            int weight = equals < 0 ? 1 : weight(entry.substring(equals + 1).trim(), text);
            if (!TYPES.contains(type)) {
                throw new ConfigException("--mix: unknown block type \"" + type + "\" in \"" + text + "\"; known: "
                        + String.join(", ", TYPES.stream().sorted().toList()));
            }
            if (weights.putIfAbsent(type, weight) != null) {
                throw new ConfigException("--mix names " + type + " twice in \"" + text + "\"");
            }
        }
        return new JobMix(weights, cycleOf(weights, text));
    }

    /** The type of the {@code seq}-th assignment. */
    String typeOf(long seq) {
        return cycle.get((int) (seq % cycle.size()));
    }

    /** The distinct types, in the order they were given. */
    List<String> types() {
        return List.copyOf(weights.keySet());
    }

    private static int weight(String text, String whole) {
        try {
            int weight = Integer.parseInt(text);
            if (weight >= 0) {
                return weight;
            }
        } catch (NumberFormatException e) {
            // reported below with the whole option value
        }
        throw new ConfigException("--mix weights must be integers >= 0, got \"" + text + "\" in \"" + whole + "\"");
    }

    /** Each type repeated by its weight divided by the weights' greatest common divisor. */
    private static List<String> cycleOf(Map<String, Integer> weights, String text) {
        int gcd = weights.values().stream().filter(w -> w > 0).reduce(0, JobMix::gcd);
        if (gcd == 0) {
            throw new ConfigException("--mix needs at least one weight > 0, got \"" + text + "\"");
        }
        List<String> cycle = new ArrayList<>();
        weights.forEach((type, weight) -> {
            for (int i = 0; i < weight / gcd; i++) {
                cycle.add(type);
            }
        });
        if (cycle.size() > MAX_CYCLE) {
            throw new ConfigException("--mix weights are too fine-grained (cycle of " + cycle.size() + " > " + MAX_CYCLE + ")");
        }
        return interleave(cycle);
    }

    /** Spreads the types through the cycle (a,a,b -> a,b,a) so that a short run sees the mix too. */
    private static List<String> interleave(List<String> grouped) {
        List<String> spread = new ArrayList<>(grouped.size());
        Map<String, Integer> left = new LinkedHashMap<>();
        grouped.forEach(type -> left.merge(type, 1, Integer::sum));
        while (spread.size() < grouped.size()) {
            left.replaceAll((type, n) -> {
                if (n > 0) {
                    spread.add(type);
                }
                return n - 1;
            });
        }
        return spread;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
