package io.beamline.worker.observability;

import java.util.ArrayList;
import java.util.List;

/**
 * The alerting rules of {@code ops/prometheus/worker-alerts.yml}, read line by line (the test
 * classpath has no YAML parser, and promtool validates the YAML itself). Understands the shape
 * that file uses: {@code - alert:} items with {@code expr:} on one line or as a {@code |} block,
 * {@code for:} and {@code severity:}. Immutable.
 */
record AlertRules(List<Rule> rules) {

    /** One alert as written. */
    record Rule(String name, String expr, String forDuration, String severity) {
    }

    static AlertRules parse(String yaml) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = yaml.split("\n");
        Builder current = null;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            String trimmed = line.trim();
            if (trimmed.startsWith("- alert:")) {
                if (current != null) {
                    rules.add(current.build());
                }
                current = new Builder(unquote(trimmed.substring("- alert:".length())));
            } else if (current != null && trimmed.startsWith("expr:")) {
                String inline = trimmed.substring("expr:".length()).trim();
                if (inline.equals("|") || inline.equals("|-") || inline.equals(">-")) {
                    int keyIndent = indent(line);
                    StringBuilder block = new StringBuilder();
                    while (i + 1 < lines.length && (lines[i + 1].isBlank() || indent(lines[i + 1]) > keyIndent)) {
                        block.append(lines[++i].trim()).append(' ');
                    }
                    current.expr = block.toString().trim();
                } else {
                    current.expr = unquote(inline);
                }
            } else if (current != null && trimmed.startsWith("for:")) {
                current.forDuration = unquote(trimmed.substring("for:".length()));
            } else if (current != null && trimmed.startsWith("severity:")) {
                current.severity = unquote(trimmed.substring("severity:".length()));
            }
        }
        if (current != null) {
            rules.add(current.build());
        }
        return new AlertRules(List.copyOf(rules));
    }

    Rule named(String name) {
        return rules.stream().filter(rule -> rule.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no alert " + name + " in " + rules.stream().map(Rule::name).toList()));
    }

    private static int indent(String line) {
        int spaces = 0;
        while (spaces < line.length() && line.charAt(spaces) == ' ') {
            spaces++;
        }
        return spaces;
    }

    private static String unquote(String value) {
        String text = value.trim();
        boolean quoted = text.length() >= 2
                && (text.startsWith("\"") && text.endsWith("\"") || text.startsWith("'") && text.endsWith("'"));
        return quoted ? text.substring(1, text.length() - 1) : text;
    }

    /** Collects one rule's fields while reading. */
    private static final class Builder {
        final String name;
        String expr = "";
        String forDuration = "";
        String severity = "";

        Builder(String name) {
            this.name = name;
        }

        Rule build() {
            return new Rule(name, expr, forDuration, severity);
        }
    }
}
