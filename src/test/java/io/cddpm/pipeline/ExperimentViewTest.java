package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The sweep's view in the MLflow UI: image charts at the last epoch, accuracy columns, within MLflow's tag size. */
class ExperimentViewTest {
    @Test
    void picturesOpenAtTheLastEpochAndTheAccuraciesAreColumns() throws Exception {
        Map<String, Object> state = ExperimentView.of(List.of("test", "new_test", "singles"), 75);
        JsonNode json = new ObjectMapper().valueToTree(state);
        List<String> keys = new java.util.ArrayList<>();
        for (JsonNode card : json.get("compareRunCharts")) {
            assertEquals("IMAGE", card.get("type").asText());
            assertEquals(75, card.get("step").asLong(), "a logged step, not the UI's default 0");
            assertEquals(json.get("compareRunSections").get(0).get("uuid").asText(), card.get("metricSectionId").asText());
            keys.add(card.get("imageKeys").get(0).asText());
        }
        JsonNode pictures = json.get("compareRunSections").get(0);
        assertEquals(1, pictures.get("columns").asInt(), "one card per row, so the trials' grids sit side by side");
        assertEquals(ExperimentView.PICTURE_CARD_HEIGHT, pictures.get("cardHeight").asInt());
        assertEquals(List.of("grid_test", "grid_new_test", "grid_singles", "progressive"), keys);
        assertEquals("[\"metrics.`accuracy_test`\",\"metrics.`accuracy_new_test`\",\"metrics.`accuracy_singles`\"]",
                json.get("selectedColumns").toString());
        String value = new ObjectMapper().writeValueAsString(state);
        assertTrue(value.length() < 4000, "MLflow keeps experiment tag values up to 5000 characters: " + value.length());
    }
}
