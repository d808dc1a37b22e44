import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import software.amazon.event.ruler.Machine;

import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Runs event patterns against events with AWS's event-ruler, the engine behind EventBridge.
 *
 * stdin:  [{"pattern": {...} or "json text", "events": [{...}, ...]}, ...]
 * stdout: [{"valid": true, "matches": [true, false, ...]}, {"valid": false, "error": "..."}, ...]
 *
 * Each pattern gets a machine of its own; events are matched with rulesForJSONEvent, the
 * array-consistent matching EventBridge uses. A pattern event-ruler refuses is reported as
 * invalid (never as "matches nothing").
 */
public final class EventRulerRunner {
  public static void main(String[] args) throws Exception {
    ObjectMapper json = new ObjectMapper();
    InputStream in = System.in;
    JsonNode cases = json.readTree(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    ArrayNode out = json.createArrayNode();
    for (JsonNode c : cases) {
      ObjectNode result = out.addObject();
      JsonNode p = c.get("pattern");
      String pattern = p.isTextual() ? p.asText() : json.writeValueAsString(p);
      Machine machine = Machine.builder().build();
      try {
        machine.addRule("pattern", pattern);
      } catch (Exception e) {
        result.put("valid", false);
        result.put("error", e.getClass().getSimpleName() + ": " + e.getMessage());
        continue;
      }
      result.put("valid", true);
      ArrayNode matches = result.putArray("matches");
      for (JsonNode event : c.get("events")) {
        matches.add(!machine.rulesForJSONEvent(json.writeValueAsString(event)).isEmpty());
      }
    }
    PrintStream stdout = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    stdout.println(json.writeValueAsString(out));
  }
}
