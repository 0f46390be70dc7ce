package io.beamline.worker.observability;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found without a full parser: string literals,
 * label matchers, range and subquery brackets and grouping clauses ({@code by (...)},
 * {@code on (...)}, ...) are removed first, so label names and Grafana variables in them are not
 * mistaken for metrics; what remains as a bare identifier that is not a function call or a
 * keyword is a metric name, exactly as written ({@code worker_x_bucket}, {@code worker_y_total}).
 * Stateless.
 */
final class PromQlNames {
    private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
    private static final Pattern GROUPING = Pattern.compile(
            "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.:$])([a-zA-Z_:][\\w:]*)(\\s*\\()?");
    private static final Pattern RATE_ARGUMENT = Pattern.compile("\\b(?:rate|irate|increase)\\(\\s*([a-zA-Z_:][\\w:]*)");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\(\\s*([a-zA-Z_:][\\w:]*)\\s*,");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2",
            "by", "without", "on", "ignoring", "group_left", "group_right");

    private PromQlNames() {
    }

    /** Every metric name {@code expr} selects, in order of appearance. */
    static Set<String> metricNames(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher identifiers = IDENTIFIER.matcher(skeleton(expr));
        while (identifiers.find()) {
            boolean functionCall = identifiers.group(2) != null;
            String name = identifiers.group(1);
            if (!functionCall && !KEYWORDS.contains(name.toLowerCase(Locale.ROOT))) {
                names.add(name);
            }
        }
        return names;
    }

    /** The metric names passed directly to {@code rate}, {@code irate} or {@code increase}. */
    static Set<String> rateArguments(String expr) {
        Set<String> names = new LinkedHashSet<>();
        Matcher arguments = RATE_ARGUMENT.matcher(skeleton(expr));
        while (arguments.find()) {
            names.add(arguments.group(1));
        }
        return names;
    }

    /** The metric of a Grafana variable query {@code label_values(metric, label)}, if it is one. */
    static Set<String> variableQueryNames(String query) {
        Matcher matcher = LABEL_VALUES.matcher(query);
        return matcher.find() ? Set.of(matcher.group(1)) : metricNames(query);
    }

    /** The expression without strings, matchers, ranges and grouping clauses. */
    static String skeleton(String expr) {
        String withoutStrings = STRINGS.matcher(expr).replaceAll(" ");
        String withoutMatchers = MATCHERS.matcher(withoutStrings).replaceAll(" ");
        String withoutRanges = RANGES.matcher(withoutMatchers).replaceAll(" ");
        return GROUPING.matcher(withoutRanges).replaceAll(" ");
    }
}
