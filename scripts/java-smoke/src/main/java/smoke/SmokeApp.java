package smoke;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.cdkintegrationpatterns.ClickstreamStack;
import io.github.cdkintegrationpatterns.FanOutSubscriberDefinition;
import io.github.cdkintegrationpatterns.SecureQueue;
import io.github.cdkintegrationpatterns.TopicFanOut;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.sns.StringConditions;
import software.amazon.awscdk.services.sns.SubscriptionFilter;

/**
 * Java smoke test of the cdk-integration-patterns jar built by jsii-pacmak (dist/java).
 *
 * Builds one stack with SecureQueue and TopicFanOut and the ClickstreamStack reference
 * architecture (StreamPipeline: Kinesis, a Lambda consumer, Firehose to S3), synthesizes them to a
 * temporary directory, prints what was synthesized and checks the templates. Run by
 * scripts/java-smoke.sh; prints "java smoke: N passed, N failed".
 */
public final class SmokeApp {
  private static int passed;
  private static int failed;

  private static void check(String name, Supplier<String> body) {
    try {
      String detail = body.get();
      passed++;
      System.out.println("  PASS  " + name + " (" + detail + ")");
    } catch (RuntimeException | AssertionError e) {
      failed++;
      System.out.println("  FAIL  " + name + ": " + e.getMessage());
    }
  }

  private static void require(boolean ok, String message) {
    if (!ok) throw new AssertionError(message);
  }

  private static Map<String, Integer> types(JsonNode template) {
    Map<String, Integer> types = new TreeMap<>();
    template.get("Resources").forEach(r -> types.merge(r.get("Type").asText(), 1, Integer::sum));
    return types;
  }

  private static JsonNode load(String outdir, Stack stack) throws Exception {
    JsonNode template = new ObjectMapper().readTree(new File(outdir, stack.getTemplateFile()));
    System.out.println("java smoke: " + stack.getStackName() + ": " + template.get("Resources").size() + " resources " + types(template));
    return template;
  }

  public static void main(String[] args) throws Exception {
    Path outdir = Files.createTempDirectory("java-smoke-cdk-out-");
    Environment env = Environment.builder().account("123456789012").region("eu-west-1").build();
    App app = App.Builder.create().outdir(outdir.toString()).build();

    Stack stack = new Stack(app, "JavaSmoke", StackProps.builder().env(env).build());
    SecureQueue jobs = SecureQueue.Builder.create(stack, "Jobs").maxReceiveCount(3).build();
    TopicFanOut fanOut = TopicFanOut.Builder.create(stack, "Orders")
        .subscribers(List.of(
            FanOutSubscriberDefinition.builder().name("Shipping").build(),
            FanOutSubscriberDefinition.builder().name("Fraud")
                .filterPolicy(Map.of("tier", SubscriptionFilter.stringFilter(StringConditions.builder().allowlist(List.of("high")).build())))
                .build()))
        .build();
    ClickstreamStack clickstream = new ClickstreamStack(app, "JavaSmokeClickstream",
        io.github.cdkintegrationpatterns.ClickstreamStackProps.builder().env(env).build());
    System.out.println("java smoke: synthesizing JavaSmoke (SecureQueue Jobs, TopicFanOut Orders with 2 subscribers) and JavaSmokeClickstream (ClickstreamStack)");
    app.synth();

    JsonNode t = load(outdir.toString(), stack);
    JsonNode c = load(outdir.toString(), clickstream);
    Map<String, Integer> tt = types(t);
    Map<String, Integer> ct = types(c);

    check("SecureQueue: queue + dead-letter queue", () -> {
      require(jobs.getQueue() != null && jobs.getDeadLetterQueue() != null, "queue or DLQ missing");
      return jobs.getNode().getPath();
    });
    check("TopicFanOut: 2 subscribers", () -> {
      require(fanOut.getSubscribers().size() == 2, "subscribers: " + fanOut.getSubscribers().size());
      return fanOut.getSubscribers().size() + " subscribers";
    });
    check("JavaSmoke: 1 topic, 6 queues (Jobs + 2 subscribers, each with a DLQ), 2 subscriptions", () -> {
      require(tt.getOrDefault("AWS::SNS::Topic", 0) == 1 && tt.getOrDefault("AWS::SQS::Queue", 0) == 6
          && tt.getOrDefault("AWS::SNS::Subscription", 0) == 2, tt.toString());
      return tt.get("AWS::SQS::Queue") + " queues";
    });
    check("TopicFanOut: the Fraud subscription has a filter policy", () -> {
      int[] filtered = {0};
      t.get("Resources").forEach(r -> {
        if (r.get("Type").asText().equals("AWS::SNS::Subscription") && r.get("Properties").has("FilterPolicy")) filtered[0]++;
      });
      require(filtered[0] == 1, filtered[0] + " filtered subscriptions");
      return "1 filtered";
    });
    check("SecureQueue: redrive after 3 receives", () -> {
      int[] found = {0};
      t.get("Resources").forEach(r -> {
        JsonNode redrive = r.path("Properties").path("RedrivePolicy");
        if (r.get("Type").asText().equals("AWS::SQS::Queue") && redrive.path("maxReceiveCount").asInt() == 3) found[0]++;
      });
      require(found[0] >= 1, "no queue with maxReceiveCount 3");
      return found[0] + " queue(s)";
    });
    check("JavaSmoke: alarms", () -> {
      int alarms = tt.getOrDefault("AWS::CloudWatch::Alarm", 0);
      require(alarms >= 3, alarms + " alarms");
      return alarms + " alarms";
    });
    check("ClickstreamStack: stream, consumer, Firehose archive, counts table", () -> {
      require(ct.getOrDefault("AWS::Kinesis::Stream", 0) == 1 && ct.getOrDefault("AWS::KinesisFirehose::DeliveryStream", 0) == 1
          && ct.getOrDefault("AWS::Lambda::EventSourceMapping", 0) >= 1 && ct.getOrDefault("AWS::DynamoDB::GlobalTable", 0) == 1, ct.toString());
      return "1 stream, 1 delivery stream, " + ct.get("AWS::Lambda::EventSourceMapping") + " event source mapping(s), 1 table";
    });
    check("SecureQueue maxReceiveCount 0 throws naming maxReceiveCount", () -> {
      try {
        SecureQueue.Builder.create(new Stack(new App(), "Invalid"), "Bad").maxReceiveCount(0).build();
      } catch (RuntimeException e) {
        require(e.getMessage().contains("maxReceiveCount"), "message does not name maxReceiveCount: " + e.getMessage());
        return e.getClass().getSimpleName() + ": " + e.getMessage().split("\n")[0];
      }
      throw new AssertionError("no exception");
    });

    System.out.println("java smoke: " + passed + " passed, " + failed + " failed");
    System.exit(failed > 0 ? 1 : 0);
  }
}
