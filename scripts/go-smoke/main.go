// Go smoke test of the cdk-integration-patterns Go module built by jsii-pacmak (dist/go).
//
// Builds one stack with SecureQueue and TopicFanOut and the MessageBackboneStack reference
// architecture, synthesizes them to a temporary directory, prints what was synthesized and
// checks the templates. Run by scripts/go-smoke.sh; prints "go smoke: N passed, N failed".
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	cip "github.com/cdk-integration-patterns/cdk-integration-patterns-go/cdkintegrationpatterns"
)

type template struct {
	Resources map[string]struct {
		Type       string                 `json:"Type"`
		Properties map[string]interface{} `json:"Properties"`
	} `json:"Resources"`
}

var passed, failed int

func check(name string, ok bool, detail string) {
	if ok {
		passed++
		fmt.Printf("  PASS  %s (%s)\n", name, detail)
	} else {
		failed++
		fmt.Printf("  FAIL  %s: %s\n", name, detail)
	}
}

func count(t template, resourceType string) int {
	n := 0
	for _, r := range t.Resources {
		if r.Type == resourceType {
			n++
		}
	}
	return n
}

func summary(t template) string {
	types := map[string]int{}
	for _, r := range t.Resources {
		types[r.Type]++
	}
	keys := make([]string, 0, len(types))
	for k := range types {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%d %s", types[k], k))
	}
	return strings.Join(parts, ", ")
}

func load(dir string, stack awscdk.Stack) template {
	path := filepath.Join(dir, *stack.TemplateFile())
	raw, err := os.ReadFile(path)
	if err != nil {
		panic(err)
	}
	var t template
	if err := json.Unmarshal(raw, &t); err != nil {
		panic(err)
	}
	fmt.Printf("go smoke: %s: %d resources (%s)\n", *stack.StackName(), len(t.Resources), summary(t))
	return t
}

func main() {
	outdir, err := os.MkdirTemp("", "go-smoke-cdk-out-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(outdir)
	env := &awscdk.Environment{Account: jsii.String("123456789012"), Region: jsii.String("eu-west-1")}
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(outdir)})

	stack := awscdk.NewStack(app, jsii.String("GoSmoke"), &awscdk.StackProps{Env: env})
	jobs := cip.NewSecureQueue(stack, jsii.String("Jobs"), &cip.SecureQueueProps{MaxReceiveCount: jsii.Number(3)})
	fanOut := cip.NewTopicFanOut(stack, jsii.String("Orders"), &cip.TopicFanOutProps{
		Subscribers: &[]*cip.FanOutSubscriberDefinition{
			{Name: jsii.String("Shipping")},
			{Name: jsii.String("Fraud"), FilterPolicy: &map[string]awssns.SubscriptionFilter{
				"tier": awssns.SubscriptionFilter_StringFilter(&awssns.StringConditions{Allowlist: jsii.Strings("high")}),
			}},
		},
	})
	backbone := cip.NewMessageBackboneStack(app, jsii.String("GoSmokeBackbone"), &cip.MessageBackboneStackProps{Env: env})
	fmt.Println("go smoke: synthesizing GoSmoke (SecureQueue Jobs, TopicFanOut Orders with 2 subscribers) and GoSmokeBackbone (MessageBackboneStack)")
	app.Synth(nil)

	t := load(outdir, stack)
	b := load(outdir, backbone)

	check("SecureQueue: queue + dead-letter queue", jobs.DeadLetterQueue() != nil && jobs.Queue() != nil, *jobs.Node().Path())
	check("TopicFanOut: 2 subscribers", len(*fanOut.Subscribers()) == 2, fmt.Sprintf("%d subscribers", len(*fanOut.Subscribers())))
	check("GoSmoke: 1 topic, 1 queue + DLQ per subscriber and for Jobs (6 queues), 2 subscriptions",
		count(t, "AWS::SNS::Topic") == 1 && count(t, "AWS::SQS::Queue") == 6 && count(t, "AWS::SNS::Subscription") == 2,
		fmt.Sprintf("%d topics, %d queues, %d subscriptions", count(t, "AWS::SNS::Topic"), count(t, "AWS::SQS::Queue"), count(t, "AWS::SNS::Subscription")))
	filtered := 0
	for _, r := range t.Resources {
		if r.Type == "AWS::SNS::Subscription" && r.Properties["FilterPolicy"] != nil {
			filtered++
		}
	}
	check("TopicFanOut: the Fraud subscription has a filter policy", filtered == 1, fmt.Sprintf("%d filtered", filtered))
	redrive := 0
	for _, r := range t.Resources {
		if p, ok := r.Properties["RedrivePolicy"].(map[string]interface{}); ok && r.Type == "AWS::SQS::Queue" && p["maxReceiveCount"] == float64(3) {
			redrive++
		}
	}
	check("SecureQueue: redrive after 3 receives", redrive >= 1, fmt.Sprintf("%d queue(s) with maxReceiveCount 3", redrive))
	check("GoSmoke: alarms", count(t, "AWS::CloudWatch::Alarm") >= 3, fmt.Sprintf("%d alarms", count(t, "AWS::CloudWatch::Alarm")))
	check("MessageBackboneStack: orders topic (+ alarm topic), recorder function, orders table",
		count(b, "AWS::SNS::Topic") >= 1 && count(b, "AWS::Lambda::Function") >= 1 && count(b, "AWS::DynamoDB::GlobalTable") == 1,
		fmt.Sprintf("%d topics, %d functions, %d tables", count(b, "AWS::SNS::Topic"), count(b, "AWS::Lambda::Function"), count(b, "AWS::DynamoDB::GlobalTable")))

	// Bad input fails at construction with our message, as a Go panic naming the prop.
	func() {
		defer func() {
			r := recover()
			msg := fmt.Sprint(r)
			check("SecureQueue MaxReceiveCount 0 panics naming maxReceiveCount", r != nil && strings.Contains(msg, "maxReceiveCount"), strings.SplitN(msg, "\n", 2)[0])
		}()
		cip.NewSecureQueue(awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Invalid"), nil), jsii.String("Bad"), &cip.SecureQueueProps{MaxReceiveCount: jsii.Number(0)})
	}()

	fmt.Printf("go smoke: %d passed, %d failed\n", passed, failed)
	if failed > 0 {
		os.Exit(1)
	}
}
