package io.cddpm.tracking;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A shared view of the MLflow UI's experiment page, as its Share button stores one: an experiment tag
 * {@code mlflow.sharedViewState.KEY} holding the page's search facets and UI state as JSON, opened by
 * {@code #/experiments/ID?viewStateShareKey=KEY}. The run to show expanded (a sweep's parent, so its
 * trials are the runs listed and charted) is only known by its MLflow id when the record is delivered.
 */
final class SharedViews {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** MLflow's longest experiment tag value. */
    static final int MAX_VALUE = 5000;

    private SharedViews() {}

    /** The state with {@code runsExpanded} = {runId: true}. */
    static String withExpanded(String state, String runId) throws DeliveryException {
        try {
            ObjectNode node = (ObjectNode) JSON.readTree(state);
            node.putObject("runsExpanded").put(runId, true);
            String value = JSON.writeValueAsString(node);
            if (value.length() > MAX_VALUE) {
                throw new DeliveryException("the view state is " + value.length() + " characters, MLflow keeps at most " + MAX_VALUE, true,
                        null);
            }
            return value;
        } catch (JsonProcessingException | ClassCastException e) {
            throw new DeliveryException("corrupt view state: " + e.getMessage(), true, e);
        }
    }
}
