/**
 * FIFO fan-out on MiniStack: e2e/fixtures/fifo-fan-out.ts deploys a FIFO TopicFanOut as its own
 * stack (IntegrationPatterns-FifoFanOut) into the e2e emulator: FIFO topic (content-based
 * deduplication) -> Ledger (every message) and Priority (priority = high) FIFO queues, no
 * consumers. The test publishes 300 messages in 10 message groups plus 15 duplicates with SNS
 * PublishBatch and reads both queues itself.
 *
 * MiniStack 1.5.33's CloudFormation drops FifoTopic and ContentBasedDeduplication of
 * AWS::SNS::Topic, so the topic it deploys behaves as a STANDARD topic (no group ids passed on, no
 * deduplication). The scenario records that (a tripwire test below), then sets both attributes on
 * the emulated topic from the synthesized template with SetTopicAttributes, as CloudFormation on
 * AWS would have created it. What follows therefore proves the pattern's FIFO queues and
 * subscriptions behind a FIFO topic, not that MiniStack's CloudFormation makes one.
 *
 * What MiniStack 1.5.33 does then (see docs/local-aws-fidelity.md): it deduplicates at the topic
 * (5-minute window, explicit id or SHA-256 of the body) and its FIFO queues hand out a group's
 * messages in order, one batch of a group in flight at a time. It delivers SNS -> SQS
 * synchronously inside Publish, so per-group order can only be lost by the queue, not by
 * concurrent delivery as in AWS: in-order arrival here proves the wiring (FIFO topic -> FIFO
 * queues, group ids passed through), not SNS's ordering under load. It gives SNS-delivered FIFO
 * messages no SQS SequenceNumber and the envelope no SequenceNumber; the last test records that.
 */
import { deployApp } from './harness/deploy';
import { scenarioSuite } from './harness/scenario-suite';
import { FIFO_FAN_OUT_STACK, fifoFanOutScenario } from './harness/scenarios';

const suite = scenarioSuite(FIFO_FAN_OUT_STACK, context => fifoFanOutScenario(FIFO_FAN_OUT_STACK).run(context), {
  deploy: emulator => deployApp({ endpoint: emulator.endpoint, label: 'fifo-fan-out', appFile: 'e2e/fixtures/fifo-fan-out.ts' }),
});
const row = (where: string, prefix: string) => suite.row(prefix, where);

describe('FIFO fan-out on MiniStack (fixture stack, no consumers: the test reads the queues)', () => {
  test('the synthesized template makes a FIFO topic with content-based deduplication', () => {
    expect(row('template', 'template: FIFO topic').problem ?? '').toBe('');
  });

  test('MiniStack gap, recorded not hidden: its CloudFormation creates the topic without FifoTopic (the scenario then sets it from the template)', () => {
    // Fails when MiniStack keeps FifoTopic: then remove the workaround in scenarios/fifo-fan-out.ts.
    expect(row('emulated topic', 'FifoTopic kept by CloudFormation').arrived).toBe(0);
    expect(row('emulated topic', 'topic FIFO with content-based dedup').problem ?? '').toBe('');
  });

  test('300 messages in 10 groups + 15 duplicates were published in 32 sequential PublishBatch calls', () => {
    expect(suite.result.published).toEqual({ unique: 300, duplicates: 15, calls: 32 });
  });

  test('Ledger receives all 300 messages once, Priority the 100 with priority = high', () => {
    expect(row('Ledger queue', 'every message').problem ?? '').toBe('');
    expect(row('Ledger queue', 'every message').arrived).toBe(300);
    expect(row('Priority queue', 'priority=high').problem ?? '').toBe('');
    expect(row('Priority queue', 'priority=high').arrived).toBe(100);
  });

  test('per message group, both queues hand out the messages in the order they were published (10 of 10 groups)', () => {
    expect(row('Ledger queue', 'groups received in send order').problem ?? '').toBe('');
    expect(row('Priority queue', 'groups received in send order').problem ?? '').toBe('');
    expect(row('Ledger queue', 'groups received in send order').arrived).toBe(10);
  });

  test('duplicates are dropped: 10 re-used MessageDeduplicationIds and 5 identical bodies (content-based) never arrive', () => {
    expect(row('Ledger queue', 'duplicates delivered').arrived).toBe(0);
    expect(row('Priority queue', 'duplicates delivered').arrived).toBe(0);
    expect(row('PublishBatch', 'duplicates answered with the original MessageId').problem ?? '').toBe('');
  });

  test('MessageGroupId and the explicit MessageDeduplicationId pass through to the queues', () => {
    expect(row('Ledger queue', 'MessageGroupId').problem ?? '').toBe('');
    expect(row('Priority queue', 'MessageGroupId').problem ?? '').toBe('');
  });

  test('both FIFO DLQs stay empty and both queues are drained', () => {
    expect(row('DLQs', 'messages in the 2 FIFO dead-letter queues').problem ?? '').toBe('');
    expect(row('queues', 'messages left').problem ?? '').toBe('');
  });

  test('MiniStack gap, recorded not hidden: SNS-delivered FIFO messages carry no SQS SequenceNumber and the envelope none either (AWS sets both)', () => {
    const all = [...suite.result.deliveries.Ledger, ...suite.result.deliveries.Priority];
    expect(all.length).toBeGreaterThan(0);
    // If MiniStack starts setting them, this fails: then assert they increase per group and update docs/local-aws-fidelity.md.
    expect(all.filter(d => d.sequenceNumber !== undefined).length).toBe(0);
    expect(all.filter(d => d.envelopeSequenceNumber).length).toBe(0);
  });
});
