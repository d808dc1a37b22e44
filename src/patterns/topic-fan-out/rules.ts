import { Token } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { attributePolicyJson, attributePolicyShape, bodyPolicyJson, bodyPolicyShape, filterPolicyRules } from './filter-policy';
import { SNS_LIMITS } from './limits';
import { FanOutS3Source, FanOutSubscriberOptions, TopicFanOutProps } from './props';
import { appQueueVisibility, checkVisibilityTimeout, consumerCodeRules, consumerTimeout, queueConsumerRules } from '../../core/consumer/consumer-rules';
import { queueIsFifo, secureQueueRules } from '../../core/secure-queue-rules';
import { secureTopicRules, topicIsFifo } from '../../core/secure-topic-rules';
import { NAME_RULES, Rule, nested } from '../../core/validation';
import { alarmTopicRule } from '../../monitoring/alarm-topic';

/** Construct ids the pattern uses itself, so no subscriber may take them. */
export const RESERVED_SUBSCRIBER_NAMES = ['Topic', 'Dashboard', 'SharedDeadLetterQueue', 'SharedDeadLetterQueueNotEmptyAlarm'];

/**
 * The rule table of one subscriber, under `prefix` (`subscribers[2].` in a TopicFanOut,
 * `options.` for addSubscriber, '' for a FanOutSubscriber made directly).
 */
export function subscriberRules(prefix: string, topicFifo: boolean): Rule<FanOutSubscriberOptions>[] {
  const p = (name: string) => `${prefix}${name}`;
  return [
    (s, v) => {
      if (s.filterPolicy === undefined) return;
      v.notSetWith('FAN_OUT_FILTER_POLICY_SCOPE', p('filterPolicyWithMessageBody'), s.filterPolicyWithMessageBody,
        `together with ${p('filterPolicy')} (a subscription filters on attributes or on the body, not both)`,
        'keep one of filterPolicy (message attributes) and filterPolicyWithMessageBody (JSON body)');
      filterPolicyRules(v, p('filterPolicy'), attributePolicyShape(s.filterPolicy), attributePolicyJson(s.filterPolicy));
    },
    (s, v) => {
      if (s.filterPolicyWithMessageBody === undefined) return;
      filterPolicyRules(v, p('filterPolicyWithMessageBody'), bodyPolicyShape(s.filterPolicyWithMessageBody), bodyPolicyJson(s.filterPolicyWithMessageBody));
    },
    // fifo follows the topic when unset, so the queue's own rules (name suffix, DLQ room) see the type it will have.
    nested(s => (s.queueProps && !s.queueProps.existingQueue
      ? { ...s.queueProps, fifo: s.queueProps.fifo ?? (topicFifo || undefined) }
      : s.queueProps),
    secureQueueRules(p('queueProps.'))),
    (s, v) => {
      const queueProps = s.queueProps ?? {};
      // fifo follows the topic when unset.
      const fifo = queueProps.existingQueue
        ? queueProps.existingQueue.fifo
        : queueIsFifo({ ...queueProps, fifo: queueProps.fifo ?? (topicFifo || undefined) });
      v.check('FAN_OUT_QUEUE_TYPE', fifo === topicFifo, {
        prop: p(queueProps.existingQueue ? 'queueProps.existingQueue' : 'queueProps.fifo'),
        value: `a ${fifo ? 'FIFO' : 'standard'} queue on a ${topicFifo ? 'FIFO' : 'standard'} topic`,
        allowed: topicFifo
          ? 'FIFO queues only: a FIFO topic delivers only to FIFO queues (name ending in ".fifo")'
          : 'standard queues only: a standard topic cannot deliver to a FIFO queue',
        fix: topicFifo
          ? 'leave queueProps.fifo unset (it follows the topic) or pass a FIFO existingQueue (sqs.Queue.fromQueueAttributes with fifo: true)'
          : 'use a FIFO topic (topicProps.fifo: true) for FIFO subscribers, or subscribe a standard queue',
      });
    },
    (s, v) => {
      const dlq = s.subscriptionDeadLetterQueue;
      if (!dlq) return;
      v.check('FAN_OUT_SUBSCRIPTION_DLQ_TYPE', dlq.fifo === topicFifo, {
        prop: p('subscriptionDeadLetterQueue'),
        value: `a ${dlq.fifo ? 'FIFO' : 'standard'} queue on a ${topicFifo ? 'FIFO' : 'standard'} topic`,
        allowed: 'a dead-letter queue of the same type as the topic (SNS requires a FIFO DLQ for a FIFO topic, standard otherwise)',
        fix: `pass a queue of the topic's type, or leave ${p('subscriptionDeadLetterQueue')} unset`,
      });
    },
    nested(s => s.consumer, consumerCodeRules(p('consumer.'))),
    (s, v) => {
      if (!s.consumer) return;
      const fifo = s.queueProps?.existingQueue?.fifo ?? s.queueProps?.fifo ?? topicFifo;
      for (const rule of queueConsumerRules(p('consumer.'), fifo)) rule(s.consumer, v);
    },
    // The one visibility rule, on an existing queue this app defines (its visibility timeout is readable here).
    (s, v) => {
      const existing = s.queueProps?.existingQueue;
      if (!s.consumer || !existing) return;
      checkVisibilityTimeout(v, {
        prop: p('queueProps.existingQueue'),
        given: appQueueVisibility(existing),
        timeout: consumerTimeout(s.consumer),
        timeoutProp: p(s.consumer.function ? 'consumer.function timeout' : 'consumer.timeout'),
        window: s.consumer.maxBatchingWindow,
        windowProp: p('consumer.maxBatchingWindow'),
        fix: `raise the visibility timeout where ${existing.node.path} is defined, or lower ${p('consumer.timeout')}`,
      });
    },
    // The one visibility rule: a hand-set visibilityTimeout below 6 x consumer timeout + window is refused.
    (s, v) => {
      if (!s.consumer || s.queueProps?.existingQueue) return;
      checkVisibilityTimeout(v, {
        prop: p('queueProps.visibilityTimeout'),
        given: s.queueProps?.visibilityTimeout,
        timeout: consumerTimeout(s.consumer),
        timeoutProp: p(s.consumer.function ? 'consumer.function timeout' : 'consumer.timeout'),
        window: s.consumer.maxBatchingWindow,
        windowProp: p('consumer.maxBatchingWindow'),
      });
    },
  ];
}

/**
 * The rule table of a {@link TopicFanOut}: its topic, every subscriber and S3 source, its dashboard.
 * `added` counts the subscribers at the end of `subscribers` that came through `addSubscriber`
 * (named `addSubscriber("<name>").` in messages), `addedSources` the same for `addS3Source`.
 */
export function topicFanOutRules(added = 0, addedSources = 0): Rule<TopicFanOutProps>[] {
  const subscriberAt = (p: TopicFanOutProps, i: number) => {
    const all = p.subscribers ?? [];
    return i >= all.length - added ? `addSubscriber("${all[i].name}").` : `subscribers[${i}].`;
  };
  const sourceAt = (p: TopicFanOutProps, i: number) => (i >= (p.s3Sources ?? []).length - addedSources ? 'addS3Source.' : `s3Sources[${i}].`);
  return [
    nested(p => p.topicProps, secureTopicRules('topicProps.')),
    (p, v) => v.numberInRange('FAN_OUT_MAX_FILTER_POLICIES', 'maxFilterPolicies', p.maxFilterPolicies, { min: 1, max: 10_000 }),
    (p, v) => v.name('FAN_OUT_DASHBOARD_NAME', 'dashboardName', p.dashboardName, NAME_RULES.dashboard),
    (p, v) => {
      if (p.dashboard) {
        v.notSetWith('DASHBOARD_NAME_WITH_SHARED', 'dashboardName', p.dashboardName, 'together with dashboard (a shared dashboard has its own name)',
          'name the shared PatternDashboard where you create it, and remove dashboardName here');
      }
    },
    alarmTopicRule(),
    (p, v) => {
      const names: string[] = [];
      for (const [i, s] of (p.subscribers ?? []).entries()) {
        const name = s.name;
        if (Token.isUnresolved(name)) continue;
        v.check('FAN_OUT_SUBSCRIBER_NAME', name.length > 0 && !names.includes(name) && !RESERVED_SUBSCRIBER_NAMES.includes(name) && !name.includes('/'), {
          prop: `${subscriberAt(p, i)}name`,
          value: `"${name}"`,
          allowed: `a non-empty name without "/", not used by another subscriber of this pattern (taken: ${names.map(t => `"${t}"`).join(', ') || 'none'}; reserved: ${RESERVED_SUBSCRIBER_NAMES.map(r => `"${r}"`).join(', ')})`,
          fix: 'give each subscriber its own name, e.g. "Shipping"',
        });
        names.push(name);
      }
    },
    (p, v) => {
      const max = p.maxFilterPolicies ?? SNS_LIMITS.filterPoliciesPerTopic;
      if (Token.isUnresolved(max) || !Number.isFinite(max)) return;
      const withFilter = (p.subscribers ?? []).map((s, i) => ({ s, i }))
        .filter(({ s }) => s.filterPolicy !== undefined || s.filterPolicyWithMessageBody !== undefined);
      if (withFilter.length <= max) return;
      const first = withFilter[max];
      v.check('FAN_OUT_FILTER_POLICIES_PER_TOPIC', false, {
        prop: `${subscriberAt(p, first.i)}filterPolicy`,
        value: `filter policy number ${max + 1} on this topic (subscriber "${first.s.name}"; ${withFilter.length} in all)`,
        allowed: `at most ${max} filter policies per topic (SNS quota; the default is ${SNS_LIMITS.filterPoliciesPerTopic})`,
        fix: 'merge subscribers that filter alike, split the subscribers across topics, or raise the SNS quota "filter policies per topic" and set maxFilterPolicies',
      });
    },
    (p, v) => {
      const fifo = topicIsFifo(p.topicProps ?? {});
      for (const [i, s] of (p.subscribers ?? []).entries()) {
        for (const rule of subscriberRules(subscriberAt(p, i), fifo)) rule(s, v);
      }
    },
    (p, v) => {
      const fifo = topicIsFifo(p.topicProps ?? {});
      for (const [i, source] of (p.s3Sources ?? []).entries()) {
        v.check('FAN_OUT_S3_FIFO', !fifo, {
          prop: sourceAt(p, i).replace(/\.$/, ''),
          value: `bucket ${source.bucket.node.path} on a FIFO topic`,
          allowed: 'a standard topic: S3 event notifications cannot be published to FIFO topics',
          fix: 'use a standard topic for S3 events, or route them through EventBridge into a FIFO pipeline',
        });
        v.nonEmpty('FAN_OUT_S3_EVENTS', `${sourceAt(p, i)}events`, source.events, 'name the events, or leave events unset for OBJECT_CREATED');
      }
    },
    s3OverlapRule(sourceAt),
  ];
}

/** Whether two S3 event types overlap (`s3:ObjectCreated:*` covers `s3:ObjectCreated:Put`). */
function eventsOverlap(a: string, b: string): boolean {
  const covers = (wide: string, narrow: string) => wide.endsWith('*') && narrow.startsWith(wide.slice(0, -1));
  return a === b || covers(a, b) || covers(b, a);
}

/** Whether two key filters can match the same key (a missing filter matches every key). */
function filtersOverlap(a: FanOutS3Source, b: FanOutS3Source): boolean {
  const prefixes = [a.prefix ?? '', b.prefix ?? ''];
  const suffixes = [a.suffix ?? '', b.suffix ?? ''];
  if ([...prefixes, ...suffixes].some(x => Token.isUnresolved(x))) return false; // a token is never guessed
  const prefixOverlap = prefixes[0].startsWith(prefixes[1]) || prefixes[1].startsWith(prefixes[0]);
  const suffixOverlap = suffixes[0].endsWith(suffixes[1]) || suffixes[1].endsWith(suffixes[0]);
  return prefixOverlap && suffixOverlap;
}

/**
 * S3 refuses a bucket's notification configuration when two of its configurations share an event
 * type for keys both filters match ("Configurations overlap. Configurations on the same bucket cannot
 * share a common event type": https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html),
 * and the bucket's whole notification custom resource fails. Checked among this pattern's sources.
 */
function s3OverlapRule(sourceAt: (p: TopicFanOutProps, i: number) => string): Rule<TopicFanOutProps> {
  return (p, v) => {
    const sources = p.s3Sources ?? [];
    const eventsOf = (s: FanOutS3Source) => (s.events ?? [s3.EventType.OBJECT_CREATED]).map(e => String(e));
    for (const [j, later] of sources.entries()) {
      const laterEvents = eventsOf(later);
      // Within one source: each event becomes its own configuration with the same filter.
      const dup = laterEvents.findIndex((e, k) => laterEvents.some((f, m) => m < k && eventsOverlap(e, f)));
      if (dup >= 0) {
        v.check('FAN_OUT_S3_OVERLAP', false, {
          prop: `${sourceAt(p, j)}events`,
          value: JSON.stringify(laterEvents),
          allowed: 'event types that do not overlap (S3 refuses two notification configurations of one bucket sharing an event type, e.g. OBJECT_CREATED and OBJECT_CREATED_PUT)',
          fix: `keep only the wider event type, e.g. [${laterEvents.filter(e => e.endsWith('*'))[0] ?? laterEvents[0]}]`,
        });
        continue;
      }
      for (let i = 0; i < j; i++) {
        const earlier = sources[i];
        if (earlier.bucket !== later.bucket || !filtersOverlap(earlier, later)) continue;
        const shared = laterEvents.filter(e => eventsOf(earlier).some(f => eventsOverlap(e, f)));
        if (shared.length === 0) continue;
        v.check('FAN_OUT_S3_OVERLAP', false, {
          prop: sourceAt(p, j).replace(/\.$/, ''),
          value: `bucket ${later.bucket.node.path} again, with events ${JSON.stringify(shared)} that ${sourceAt(p, i).replace(/\.$/, '')} already notifies for overlapping keys`,
          allowed: 'one notification per bucket, event type and key range (S3 refuses overlapping configurations on a bucket)',
          fix: 'merge the two sources into one, or give them prefixes/suffixes that cannot match the same key',
        });
        break;
      }
    }
  };
}
