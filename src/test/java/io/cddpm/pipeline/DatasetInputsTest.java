package io.cddpm.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cddpm.data.ConditionFile;
import io.cddpm.data.Labels;
import io.cddpm.tracking.DatasetInput;
import org.junit.jupiter.api.Test;

/** Issue 31: a dataset's schema in the form MLflow's dataset drawer renders (a table), not "Unrecognized Schema Format". */
class DatasetInputsTest {
    @Test
    void aTestFilesSchemaIsAnMlflowColumnSpec() throws Exception {
        DatasetInput input = DatasetInputs.evaluation(ConditionFile.builtin("test", Labels.builtin()));
        JsonNode schema = new ObjectMapper().readTree(input.schema());
        assertEquals("labels", schema.get("mlflow_colspec").get(0).get("name").asText());
        assertEquals("list<string>", schema.get("mlflow_colspec").get(0).get("type").asText());
        assertEquals(1, schema.size(), "nothing beside the column spec");
    }
}
