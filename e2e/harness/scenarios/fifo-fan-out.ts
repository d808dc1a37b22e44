/**
 * FIFO fan-out (fixture stack e2e/fixtures/fifo-fan-out.ts, not part of the reference app): a FIFO
 * topic with content-based deduplication -> Ledger (every message) and Priority (attribute
 * priority = high) FIFO queues, no consumers.
 *
 * Traffic, published with SNS PublishBatch strictly one call after the other (so the send order
 * per message group is defined): 10 message groups x 30 sequence numbers = 300 messages, sent
 * round-robin (batch k holds sequence k of every group), every third one with priority = high.
 * Between them, duplicates that SNS must drop: 10 re-sends of earlier explicit
 * MessageDeduplicationIds with a changed body (one batch in the middle), and 5 re-sends of the
 * same body without a deduplication id (content-based deduplication; their originals were sent
 * without one too).
 *
 * Checked by reading both queues (receive, delete, repeat): per group, the sequence numbers
 * arrive complete and in send order; no duplicate arrives; MessageGroupId and the explicit
 * MessageDeduplicationId pass through to SQS; PublishBatch answers a duplicate with the original
 * MessageId; both DLQs stay empty.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {
  GetTopicAttributesCommand, PublishBatchCommand, PublishBatchRequestEntry, PublishBatchResultEntry, SetTopicAttributesCommand,
} from '@aws-sdk/client-sns';
import { Message } from '@aws-sdk/client-sqs';
import { drainQueue, queueDepth } from '../collect';
import { paths } from '../paths';
import { listIds, output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';

export const FIFO_FAN_OUT_STACK = 'IntegrationPatterns-FifoFanOut';

export interface FifoTraffic {
  readonly groups: number;
  readonly perGroup: number;
  /** Re-sends of an earlier explicit deduplication id, with a changed body. */
  readonly explicitDuplicates: number;
  /** Originals sent without a deduplication id (content-based), each re-sent once unchanged. */
  readonly contentDuplicates: number;
}

export const DEFAULT_FIFO_TRAFFIC: FifoTraffic = { groups: 10, perGroup: 30, explicitDuplicates: 10, contentDuplicates: 5 };

/** What one received FIFO message said about itself. */
export interface FifoDelivery {
  readonly queue: string;
  readonly group: string;
  readonly seq: number;
  readonly duplicate: boolean;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
  readonly sequenceNumber?: string;
  /** Whether the SNS envelope carried a SequenceNumber (AWS's FIFO envelope does). */
  readonly envelopeSequenceNumber: boolean;
}

interface FifoBody {
  readonly run: string;
  readonly group: string;
  readonly seq: number;
  readonly priority: string;
  readonly duplicate?: boolean;
}

export interface FifoFanOutResult extends ScenarioResult {
  /** Every delivery read, per queue, in the order received. */
  readonly deliveries: Record<string, FifoDelivery[]>;
  readonly published: { readonly unique: number; readonly duplicates: number; readonly calls: number };
}

const ARCHITECTURE = 'fifo-fan-out (fixture)';
/** What MiniStack's CloudFormation does with FifoTopic (see the fidelity doc). */
export const EMULATOR_GAP_FIFO_TOPIC = 'MiniStack 1.5.33: 0, CFN drops it';

/** FifoTopic and ContentBasedDeduplication of the topic in the template `cdk deploy` synthesized (label fifo-fan-out). */
function topicTemplateProperties(stackName: string): { FifoTopic?: unknown; ContentBasedDeduplication?: unknown } {
  const file = path.join(paths.cdkOut, 'fifo-fan-out', `${stackName}.template.json`);
  const template = JSON.parse(fs.readFileSync(file, 'utf8')) as { Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const topics = Object.values(template.Resources).filter(r => r.Type === 'AWS::SNS::Topic');
  if (topics.length !== 1) throw new Error(`expected one AWS::SNS::Topic in ${file}, found ${topics.length}`);
  const { FifoTopic, ContentBasedDeduplication } = topics[0].Properties ?? {};
  return { FifoTopic, ContentBasedDeduplication };
}
const QUEUES = ['Ledger', 'Priority'] as const;

/** A Scenario whose result also carries every delivery read. */
export interface FifoFanOutScenario extends Scenario {
  run(context: ScenarioContext): Promise<FifoFanOutResult>;
}

export function fifoFanOutScenario(stackName = FIFO_FAN_OUT_STACK, traffic: FifoTraffic = DEFAULT_FIFO_TRAFFIC): FifoFanOutScenario {
  return { architecture: ARCHITECTURE, stackName, run: context => runFifo({ ...context, stackName }, traffic) };
}

function parseDelivery(queue: string, m: Message, run: string): FifoDelivery | undefined {
  try {
    const envelope = JSON.parse(m.Body ?? '') as { Message?: string; SequenceNumber?: string };
    const body = JSON.parse(envelope.Message ?? '') as FifoBody;
    if (body.run !== run) return undefined;
    return {
      queue,
      group: body.group,
      seq: body.seq,
      duplicate: body.duplicate === true,
      messageGroupId: m.Attributes?.MessageGroupId,
      messageDeduplicationId: m.Attributes?.MessageDeduplicationId,
      sequenceNumber: m.Attributes?.SequenceNumber,
      envelopeSequenceNumber: typeof envelope.SequenceNumber === 'string',
    };
  } catch {
    return undefined;
  }
}

async function runFifo(context: ScenarioContext, traffic: FifoTraffic): Promise<FifoFanOutResult> {
  const started = Date.now();
  const { clients, outputs, stackName, log } = context;
  const topicArn = output(outputs, stackName, 'TopicArn');
  const queueUrl = Object.fromEntries(QUEUES.map(q => [q, output(outputs, stackName, `${q}QueueUrl`)])) as Record<typeof QUEUES[number], string>;
  const dlqUrl = Object.fromEntries(QUEUES.map(q => [q, output(outputs, stackName, `${q}DeadLetterQueueUrl`)])) as Record<typeof QUEUES[number], string>;

  // MiniStack 1.5.33's CloudFormation drops FifoTopic and ContentBasedDeduplication of
  // AWS::SNS::Topic: the topic it creates behaves as a standard topic (no group ids passed on, no
  // deduplication). Record that, then give the emulated topic the attributes the synthesized
  // template sets (what CloudFormation on AWS creates), so the rest checks the pattern's queues
  // and subscriptions behind a FIFO topic.
  const topicAttributes = async () => (await clients.sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes ?? {};
  const deployed = await topicAttributes();
  const template = topicTemplateProperties(stackName);
  const fifoAsDeployed = deployed.FifoTopic === 'true';
  if (!fifoAsDeployed) {
    log(`${stackName}: the emulated topic lacks FifoTopic (MiniStack drops it); setting FifoTopic=${template.FifoTopic}, ContentBasedDeduplication=${template.ContentBasedDeduplication} from the template`);
    await clients.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'FifoTopic', AttributeValue: String(template.FifoTopic) }));
    await clients.sns.send(new SetTopicAttributesCommand({ TopicArn: topicArn, AttributeName: 'ContentBasedDeduplication', AttributeValue: String(template.ContentBasedDeduplication) }));
  }
  const effective = await topicAttributes();

  const run = randomBytes(3).toString('hex');
  const groups = Array.from({ length: traffic.groups }, (_, g) => `g-${run}-${g}`);
  const dedupId = (group: string, seq: number) => `${group}-${seq}`;
  const priority = (seq: number) => (seq % 3 === 0 ? 'high' : 'normal');
  // The last sequence number of the first `contentDuplicates` groups goes without a deduplication id.
  const contentBased = (g: number, seq: number) => g < traffic.contentDuplicates && seq === traffic.perGroup;
  const entry = (group: string, seq: number, explicitDedup: boolean, duplicate = false): PublishBatchRequestEntry => {
    const body: FifoBody = { run, group, seq, priority: priority(seq), ...(duplicate ? { duplicate: true } : {}) };
    return {
      Id: 'x',
      Message: JSON.stringify(body),
      MessageGroupId: group,
      ...(explicitDedup ? { MessageDeduplicationId: dedupId(group, seq) } : {}),
      MessageAttributes: { priority: { DataType: 'String', StringValue: priority(seq) } },
    };
  };

  // Round-robin batches: batch k = sequence k of every group (10 groups -> 10 entries).
  const batches: PublishBatchRequestEntry[][] = [];
  const originals: Array<{ group: string; seq: number; batch: number; index: number }> = [];
  for (let seq = 1; seq <= traffic.perGroup; seq++) {
    const batch = groups.map((group, g) => entry(group, seq, !contentBased(g, seq)));
    groups.forEach((group, g) => originals.push({ group, seq, batch: batches.length, index: g }));
    batches.push(batch);
  }
  // Explicit-id duplicates after the middle batch: re-sends of ids from the first half, changed body.
  const middle = Math.floor(traffic.perGroup / 2);
  const explicitDups = Array.from({ length: traffic.explicitDuplicates },
    (_, i) => ({ group: groups[i % groups.length], seq: 1 + ((i * 7) % middle) }));
  batches.splice(middle, 0, explicitDups.map(d => entry(d.group, d.seq, true, true)));
  for (const o of originals) if (o.batch >= middle) o.batch++;
  // Content-based duplicates at the end: the very same body again, no deduplication id.
  const contentDups = groups.slice(0, traffic.contentDuplicates).map(group => ({ group, seq: traffic.perGroup }));
  batches.push(contentDups.map(d => entry(d.group, d.seq, false)));
  const explicitDupBatch = middle;
  const contentDupBatch = batches.length - 1;

  const results: PublishBatchResultEntry[][] = [];
  for (const batch of batches) {
    const res = await clients.sns.send(new PublishBatchCommand({
      TopicArn: topicArn,
      PublishBatchRequestEntries: batch.map((e, i) => ({ ...e, Id: String(i) })),
    }));
    if ((res.Failed ?? []).length > 0) throw new Error(`SNS PublishBatch failed for ${res.Failed!.length} entries: ${JSON.stringify(res.Failed)}`);
    results.push([...(res.Successful ?? [])].sort((a, b) => Number(a.Id) - Number(b.Id)));
  }
  const unique = traffic.groups * traffic.perGroup;
  const duplicates = explicitDups.length + contentDups.length;
  log(`${stackName}: published ${unique} FIFO messages in ${traffic.groups} groups + ${duplicates} duplicates in ${batches.length} PublishBatch calls (run ${run})`);

  // A duplicate is answered with the original's MessageId (SNS FIFO deduplication).
  const messageIdOf = (group: string, seq: number) => {
    const o = originals.find(x => x.group === group && x.seq === seq)!;
    return results[o.batch][o.index]?.MessageId;
  };
  const dupAnswers = [
    ...explicitDups.map((d, i) => results[explicitDupBatch][i]?.MessageId === messageIdOf(d.group, d.seq)),
    ...contentDups.map((d, i) => results[contentDupBatch][i]?.MessageId === messageIdOf(d.group, d.seq)),
  ];

  // Read both queues: receive up to 10, delete them, repeat until three empty receives.
  const deliveries: Record<string, FifoDelivery[]> = {};
  for (const q of QUEUES) {
    const messages = await drainQueue(clients, queueUrl[q], { emptyReceives: 3, waitTimeSeconds: 1 });
    deliveries[q] = messages.map(m => parseDelivery(q, m, run)).filter((d): d is FifoDelivery => d !== undefined);
  }
  const dead = Object.fromEntries(await Promise.all(QUEUES.map(async q => [q, (await queueDepth(clients, dlqUrl[q])).total] as const)));
  const left = Object.fromEntries(await Promise.all(QUEUES.map(async q => [q, (await queueDepth(clients, queueUrl[q])).total] as const)));

  const architecture = ARCHITECTURE;
  const row = (what: string, where: string, expected: number, arrived: number, ok: boolean, problem: string): Row =>
    ({ architecture, what, where, expected, arrived, ok, ...(ok ? {} : { problem }) });
  const templateFifo = template.FifoTopic === true && template.ContentBasedDeduplication === true;
  const rows: Row[] = [
    row(`template: FIFO topic, content-based dedup (${templateFifo ? 'yes' : 'NO'})`, 'template', 1, templateFifo ? 1 : 0, templateFifo,
      `the synthesized template of ${stackName} does not make a FIFO topic with content-based deduplication: ${JSON.stringify(template)}`),
    // Tripwire: fails the day MiniStack's CloudFormation keeps FifoTopic (then drop the workaround).
    row(`FifoTopic kept by CloudFormation (AWS: 1; ${EMULATOR_GAP_FIFO_TOPIC})`, 'emulated topic', 0, fifoAsDeployed ? 1 : 0, !fifoAsDeployed,
      `MiniStack's CloudFormation now creates ${topicArn} as FIFO: remove the SetTopicAttributes workaround in scenarios/fifo-fan-out.ts and update docs/local-aws-fidelity.md`),
    row('topic FIFO with content-based dedup when published to', 'emulated topic', 1,
      effective.FifoTopic === 'true' && effective.ContentBasedDeduplication === 'true' ? 1 : 0,
      effective.FifoTopic === 'true' && effective.ContentBasedDeduplication === 'true',
      `${topicArn} is not FIFO with content-based deduplication: ${JSON.stringify({ FifoTopic: effective.FifoTopic, ContentBasedDeduplication: effective.ContentBasedDeduplication })}`),
  ];
  for (const q of QUEUES) {
    const wantSeqs = Array.from({ length: traffic.perGroup }, (_, i) => i + 1).filter(seq => q === 'Ledger' || priority(seq) === 'high');
    const got = deliveries[q].filter(d => !d.duplicate);
    const expectedCount = wantSeqs.length * groups.length;
    const distinct = new Set(got.map(d => `${d.group}/${d.seq}`));
    const missing = groups.flatMap(g => wantSeqs.filter(seq => !distinct.has(`${g}/${seq}`)).map(seq => `${g}/${seq}`));
    rows.push(row(`${q === 'Ledger' ? 'every' : 'priority=high'} message, once`, `${q} queue`, expectedCount, got.length,
      got.length === expectedCount && missing.length === 0,
      `${q} queue: ${got.length} deliveries for ${expectedCount} messages${missing.length ? `; missing: ${listIds(missing)}` : ''}`
      + `${got.length > distinct.size ? `; ${got.length - distinct.size} delivered twice` : ''}`));
    const outOfOrder = groups.filter(g => {
      const seqs = got.filter(d => d.group === g).map(d => d.seq);
      return seqs.some((s, i) => i > 0 && s <= seqs[i - 1]);
    });
    rows.push(row('groups received in send order', `${q} queue`, groups.length, groups.length - outOfOrder.length, outOfOrder.length === 0,
      `${q} queue: ${outOfOrder.length} of ${groups.length} groups out of order: ${outOfOrder.map(g => `${g}: ${got.filter(d => d.group === g).map(d => d.seq).join(',')}`).slice(0, 3).join(' | ')}`));
    const dupDelivered = deliveries[q].filter(d => d.duplicate).length
      + (got.length - distinct.size);
    rows.push(row('duplicates delivered (dedup id / content)', `${q} queue`, 0, dupDelivered, dupDelivered === 0,
      `${q} queue: ${dupDelivered} duplicate(s) arrived that SNS FIFO deduplication must drop`));
    const badIds = got.filter(d => d.messageGroupId !== d.group
      || (!contentBased(groups.indexOf(d.group), d.seq) && d.messageDeduplicationId !== dedupId(d.group, d.seq)));
    rows.push(row('MessageGroupId and dedup id passed through', `${q} queue`, got.length, got.length - badIds.length, badIds.length === 0,
      `${q} queue: ${badIds.length} messages with another MessageGroupId/MessageDeduplicationId than published: `
      + `${listIds(badIds.map(d => `${d.group}/${d.seq} (group ${d.messageGroupId ?? 'none'}, dedup ${d.messageDeduplicationId ?? 'none'})`), 3)}`));
  }
  const dupAnswered = dupAnswers.filter(Boolean).length;
  rows.push(row('duplicates answered with the original MessageId', 'PublishBatch', dupAnswers.length, dupAnswered, dupAnswered === dupAnswers.length,
    `${dupAnswers.length - dupAnswered} of ${dupAnswers.length} duplicate publishes got a new MessageId instead of the original's`));
  const deadCount = QUEUES.reduce((n, q) => n + dead[q], 0);
  rows.push(row('messages in the 2 FIFO dead-letter queues', 'DLQs', 0, deadCount, deadCount === 0,
    `dead letters: ${QUEUES.filter(q => dead[q] > 0).map(q => `${q} DLQ ${dead[q]}`).join('; ')}`));
  const leftCount = QUEUES.reduce((n, q) => n + left[q], 0);
  rows.push(row('messages left in the 2 queues (drained)', 'queues', 0, leftCount, leftCount === 0,
    `messages still in: ${QUEUES.filter(q => left[q] > 0).map(q => `${q} queue ${left[q]}`).join('; ')}`));
  return { architecture, stackName, rows, durationMs: Date.now() - started, deliveries, published: { unique, duplicates, calls: batches.length } };
}
