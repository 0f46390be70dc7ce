package io.beamline.worker.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.beamline.worker.contract.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SecondSeriesTest {
    private static final long START = 5_000_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private final SecondSeries series = new SecondSeries(START, 1_700_000_000_000L);

    @Test
    void eventsCountInTheSecondTheyHappenedAndQuietSecondsAreZeros() throws Exception {
        series.sent(START + 10);
        series.sent(START + 20);
        series.accepted(START + 30);
        series.rejected(START + 40, "4002:queue_full");
        series.result(START + SECOND / 2, "success", 2_000);
        series.sent(START + 3 * SECOND + 1);
        series.accepted(START + 3 * SECOND + 2);
        series.result(START + 3 * SECOND + 3, "error:3003", 9_000);

        List<JsonNode> lines = parse(series.lines());

        assertThat(lines).hasSize(4);
        JsonNode first = lines.get(0);
        assertThat(first.get("second").asInt()).isZero();
        assertThat(first.get("epoch_ms").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(first.get("sent").asLong()).isEqualTo(2);
        assertThat(first.get("accepted").asLong()).isEqualTo(1);
        assertThat(first.get("rejected").asLong()).isEqualTo(1);
        assertThat(first.get("rejected_by").get("4002:queue_full").asLong()).isEqualTo(1);
        assertThat(first.get("results").asLong()).isEqualTo(1);
        assertThat(first.get("result_p99_ms").asDouble()).isBetween(1.99, 2.01);
        for (int quiet = 1; quiet <= 2; quiet++) {
            assertThat(lines.get(quiet).get("sent").asLong()).isZero();
            assertThat(lines.get(quiet).get("results").asLong()).isZero();
            assertThat(lines.get(quiet).get("result_p99_ms").asDouble()).isZero();
        }
        JsonNode last = lines.get(3);
        assertThat(last.get("epoch_ms").asLong()).isEqualTo(1_700_000_003_000L);
        assertThat(last.get("sent").asLong()).isEqualTo(1);
        assertThat(last.get("results_by").get("error:3003").asLong()).isEqualTo(1);
        assertThat(last.get("result_p50_ms").asDouble()).isBetween(8.99, 9.01);  // HdrHistogram, 3 significant digits
    }

    @Test
    void percentilesAreOfTheResultsThatArrivedInThatSecondOnly() throws Exception {
        for (int i = 1; i <= 100; i++) {
            series.result(START + 1, "success", i * 1_000L);  // 1..100 ms in second 0
        }
        series.result(START + SECOND + 1, "success", 500_000);  // one slow result in second 1

        List<JsonNode> lines = parse(series.lines());

        assertThat(lines.get(0).get("result_p50_ms").asDouble()).isBetween(49.9, 50.1);
        assertThat(lines.get(0).get("result_p99_ms").asDouble()).isBetween(98.9, 99.1);
        assertThat(lines.get(1).get("result_p50_ms").asDouble()).isBetween(499.0, 501.0);
    }

    @Test
    void duplicatesAndDeadLettersAreCountedApart() throws Exception {
        series.result(START, "success", 1_000);
        series.duplicateResult(START + 1);
        series.deadLetter(START + 2, "max_deliveries");

        JsonNode line = parse(series.lines()).get(0);

        assertThat(line.get("results").asLong()).isEqualTo(1);
        assertThat(line.get("duplicate_results").asLong()).isEqualTo(1);
        assertThat(line.get("dead_letters").get("max_deliveries").asLong()).isEqualTo(1);
    }

    @Test
    void anEmptyRunHasNoLines() {
        assertThat(series.lines()).isEmpty();
    }

    private static List<JsonNode> parse(List<String> lines) throws Exception {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : lines) {
            nodes.add(Json.readTree(line.getBytes(StandardCharsets.UTF_8)));
        }
        return nodes;
    }
}
