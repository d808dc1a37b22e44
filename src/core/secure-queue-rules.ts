import { Duration, Token } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueEncryption, SecureQueueProps } from './secure-queue';
import { NAME_RULES, Rule, Violations, describeDuration, secondsOf } from './validation';
import { alarmTopicRule } from '../monitoring/alarm-topic';

/** Whether the props make a FIFO queue (given `fifo`, a `.fifo` name, or a FIFO existing queue). */
export function queueIsFifo(props: SecureQueueProps): boolean {
  if (props.existingQueue) return props.existingQueue.fifo;
  return props.fifo ?? (props.queueName !== undefined && !Token.isUnresolved(props.queueName) && props.queueName.endsWith('.fifo'));
}

/**
 * The age alarm's threshold: `maxMessageAge`, or 15 minutes, or half the retention period when
 * that is under 30 minutes (so a short-lived queue's default alarm can still fire).
 */
export function maxMessageAgeOf(props: SecureQueueProps): Duration {
  if (props.maxMessageAge) return props.maxMessageAge;
  const r = props.existingQueue ? undefined : secondsOf(props.retentionPeriod ?? Duration.days(4));
  return r !== undefined && r >= 60 && r < 1800 ? Duration.seconds(Math.floor(r / 2)) : Duration.minutes(15);
}

/** Whether a retention in seconds is within SQS's 60 s to 14 days (else SECURE_QUEUE_RETENTION reports it). */
function retentionInRange(seconds: number): boolean {
  return seconds >= 60 && seconds <= 14 * 24 * 3600;
}

function checkFifoPair(v: Violations, prop: string, sourceIsFifo: boolean, dlq: sqs.IQueue): void {
  v.check('SECURE_QUEUE_DLQ_TYPE', dlq.fifo === sourceIsFifo, {
    prop,
    value: `a ${dlq.fifo ? 'FIFO' : 'standard'} queue for a ${sourceIsFifo ? 'FIFO' : 'standard'} source queue`,
    allowed: 'a dead-letter queue of the same type as its source queue (SQS requires FIFO DLQs for FIFO queues, standard for standard)',
    fix: sourceIsFifo
      ? 'pass a FIFO queue (name ending in ".fifo"; for an imported queue use Queue.fromQueueAttributes with fifo: true)'
      : 'pass a standard queue, or make this queue FIFO with fifo: true',
  });
}

/**
 * The rule table of {@link SecureQueue}, under `prefix` (e.g. `subscribers[2].queueProps.`), so a
 * pattern reports its queue's problems with the prop path its user wrote.
 */
export function secureQueueRules(prefix = ''): Rule<SecureQueueProps>[] {
  const p = (name: string) => `${prefix}${name}`;
  return [
    // An existing queue takes no settings.
    (q, v) => {
      if (!q.existingQueue) return;
      const settings: Record<string, unknown> = {
        queueName: q.queueName,
        fifo: q.fifo,
        contentBasedDeduplication: q.contentBasedDeduplication,
        highThroughputFifo: q.highThroughputFifo,
        retentionPeriod: q.retentionPeriod,
        deadLetterRetentionPeriod: q.deadLetterRetentionPeriod,
        visibilityTimeout: q.visibilityTimeout,
        deliveryDelay: q.deliveryDelay,
        maxMessageSizeBytes: q.maxMessageSizeBytes,
        receiveMessageWaitTime: q.receiveMessageWaitTime,
        maxReceiveCount: q.maxReceiveCount,
        encryption: q.encryption,
        encryptionKey: q.encryptionKey,
        dataKeyReuse: q.dataKeyReuse,
        removalPolicy: q.removalPolicy,
      };
      for (const [name, value] of Object.entries(settings)) {
        v.notSetWith('SECURE_QUEUE_SETTING_WITH_EXISTING', p(name), value, `when ${p('existingQueue')} is given (an imported resource cannot be reconfigured)`,
          `remove ${p(name)}, or drop ${p('existingQueue')} so the block creates and configures the queue`);
      }
      if (q.existingDeadLetterQueue) checkFifoPair(v, p('existingDeadLetterQueue'), q.existingQueue.fifo, q.existingDeadLetterQueue);
    },
    (q, v) => { if (!q.existingQueue) v.durationInRange('SECURE_QUEUE_RETENTION', p('retentionPeriod'), q.retentionPeriod, { min: Duration.seconds(60), max: Duration.days(14), wholeSeconds: true }); },
    (q, v) => { if (!q.existingQueue) v.durationInRange('SECURE_QUEUE_DLQ_RETENTION', p('deadLetterRetentionPeriod'), q.deadLetterRetentionPeriod, { min: Duration.seconds(60), max: Duration.days(14), wholeSeconds: true }); },
    (q, v) => { if (!q.existingQueue) v.durationInRange('SECURE_QUEUE_VISIBILITY_TIMEOUT', p('visibilityTimeout'), q.visibilityTimeout, { min: Duration.seconds(0), max: Duration.hours(12), wholeSeconds: true }); },
    (q, v) => { if (!q.existingQueue) v.durationInRange('SECURE_QUEUE_DELIVERY_DELAY', p('deliveryDelay'), q.deliveryDelay, { min: Duration.seconds(0), max: Duration.minutes(15), wholeSeconds: true }); },
    (q, v) => { if (!q.existingQueue) v.durationInRange('SECURE_QUEUE_RECEIVE_WAIT', p('receiveMessageWaitTime'), q.receiveMessageWaitTime, { min: Duration.seconds(0), max: Duration.seconds(20), wholeSeconds: true }); },
    (q, v) => { if (!q.existingQueue) v.durationInRange('SECURE_QUEUE_DATA_KEY_REUSE', p('dataKeyReuse'), q.dataKeyReuse, { min: Duration.minutes(1), max: Duration.hours(24), wholeSeconds: true }); },
    (q, v) => { if (!q.existingQueue) v.numberInRange('SECURE_QUEUE_MAX_MESSAGE_SIZE', p('maxMessageSizeBytes'), q.maxMessageSizeBytes, { min: 1024, max: 1_048_576, unit: 'bytes' }); },
    (q, v) => { if (!q.existingQueue) v.numberInRange('SECURE_QUEUE_MAX_RECEIVE_COUNT', p('maxReceiveCount'), q.maxReceiveCount, { min: 1, max: 1000 }); },
    (q, v) => v.durationInRange('SECURE_QUEUE_MAX_MESSAGE_AGE', p('maxMessageAge'), q.maxMessageAge, { min: Duration.seconds(1), max: Duration.days(14) }),
    // DLQ retention >= retention: the DLQ counts a message's age from its first enqueue.
    (q, v) => {
      if (q.existingQueue || q.existingDeadLetterQueue) return;
      const retention = q.retentionPeriod ?? Duration.days(4);
      const dlq = q.deadLetterRetentionPeriod ?? Duration.days(14);
      const r = secondsOf(retention);
      const d = secondsOf(dlq);
      // An out-of-range retention is reported by its own rule; comparing with it would only repeat that.
      if (r === undefined || d === undefined || !retentionInRange(r)) return;
      v.check('SECURE_QUEUE_DLQ_RETENTION_SHORTER', d >= r, {
        prop: p('deadLetterRetentionPeriod'),
        value: `${describeDuration(dlq)}${q.deadLetterRetentionPeriod === undefined ? ' (the default)' : ''}`,
        allowed: `at least ${p('retentionPeriod')} (${describeDuration(retention)}); SQS counts a message's age from its first enqueue, so a shorter DLQ retention deletes failed messages early`,
        fix: `raise ${p('deadLetterRetentionPeriod')} to ${describeDuration(retention)} or more (14 days is the maximum and the default)`,
      });
    },
    // The same for a dead-letter queue of yours that this app defines (its retention is readable here; an imported one's is not).
    (q, v) => {
      const dlq = q.existingDeadLetterQueue;
      if (q.existingQueue || !dlq) return;
      const cfn = dlq.node.defaultChild;
      if (!(cfn instanceof sqs.CfnQueue)) return;
      const kept = cfn.messageRetentionPeriod ?? 4 * 24 * 3600; // SQS's default retention
      const retention = q.retentionPeriod ?? Duration.days(4);
      const r = secondsOf(retention);
      if (r === undefined || Token.isUnresolved(kept) || typeof kept !== 'number' || !retentionInRange(r)) return;
      v.check('SECURE_QUEUE_DLQ_RETENTION_SHORTER', kept >= r, {
        prop: p('existingDeadLetterQueue'),
        value: `${dlq.node.path}, which keeps messages ${describeDuration(Duration.seconds(kept))}${cfn.messageRetentionPeriod === undefined ? ' (the SQS default)' : ''}`,
        allowed: `a retention of at least ${p('retentionPeriod')} (${describeDuration(retention)}); SQS counts a message's age from its first enqueue, so a shorter DLQ retention deletes failed messages early`,
        fix: `give the dead-letter queue retentionPeriod: Duration.days(14), or lower ${p('retentionPeriod')}`,
      });
    },
    // An age alarm at or above the retention could never fire.
    (q, v) => {
      if (q.existingQueue || q.alarmsEnabled === false) return;
      const retention = q.retentionPeriod ?? Duration.days(4);
      const maxAge = maxMessageAgeOf(q);
      const r = secondsOf(retention);
      const a = secondsOf(maxAge);
      if (r === undefined || a === undefined || !retentionInRange(r)) return;
      v.check('SECURE_QUEUE_AGE_ALARM_NEVER_FIRES', a < r, {
        prop: p('maxMessageAge'),
        value: `${describeDuration(maxAge)}${q.maxMessageAge === undefined ? ' (the default)' : ''}`,
        allowed: `less than ${p('retentionPeriod')} (${describeDuration(retention)}); messages expire before an older age can be seen, so the alarm could never fire`,
        fix: `lower ${p('maxMessageAge')} or raise ${p('retentionPeriod')}`,
      });
    },
    // Names: FIFO suffix, characters, and room for the dead-letter queue's "-dlq".
    (q, v) => {
      if (q.existingQueue || q.queueName === undefined || Token.isUnresolved(q.queueName)) return;
      const fifo = queueIsFifo(q);
      v.check('SECURE_QUEUE_NAME_FIFO', q.queueName.endsWith('.fifo') === fifo, {
        prop: p('queueName'),
        value: `"${q.queueName}" with fifo: ${fifo}`,
        allowed: 'a name ending in ".fifo" for a FIFO queue, and only then',
        fix: fifo ? `name the queue "${q.queueName}.fifo"` : `set ${p('fifo')}: true, or remove the ".fifo" suffix`,
      });
      v.name('SECURE_QUEUE_NAME', p('queueName'), q.queueName, NAME_RULES.queue);
      const base = q.queueName.replace(/\.fifo$/, '');
      const maxBase = fifo ? 71 : 76; // SQS allows 80 characters; the DLQ adds "-dlq"
      if (NAME_RULES.queue.pattern.test(q.queueName) && q.queueName.length <= 80) {
        v.check('SECURE_QUEUE_NAME_DLQ_ROOM', q.existingDeadLetterQueue !== undefined || base.length <= maxBase, {
          prop: p('queueName'),
          value: `"${q.queueName}" (${q.queueName.length} characters)`,
          allowed: `at most ${maxBase} characters before ${fifo ? '".fifo"' : 'the end'}, so the dead-letter queue's "-dlq" name fits SQS's 80`,
          fix: 'shorten the name, or pass existingDeadLetterQueue',
        });
      }
    },
    (q, v) => {
      if (q.existingQueue || queueIsFifo(q)) return;
      for (const [name, value] of [['contentBasedDeduplication', q.contentBasedDeduplication], ['highThroughputFifo', q.highThroughputFifo]] as const) {
        v.check('SECURE_QUEUE_FIFO_ONLY', !value, { prop: p(name), value: 'true on a standard queue', allowed: 'true only on a FIFO queue', fix: `set ${p('fifo')}: true, or remove ${p(name)}` });
      }
    },
    (q, v) => {
      if (q.existingQueue || !q.existingDeadLetterQueue) return;
      checkFifoPair(v, p('existingDeadLetterQueue'), queueIsFifo(q), q.existingDeadLetterQueue);
      v.notSetWith('SECURE_QUEUE_DLQ_RETENTION_WITH_EXISTING', p('deadLetterRetentionPeriod'), q.deadLetterRetentionPeriod, `when ${p('existingDeadLetterQueue')} is given`,
        'set the retention on the existing dead-letter queue instead');
    },
    (q, v) => {
      if (q.existingQueue) return;
      if (q.encryptionKey && q.encryption !== undefined) {
        v.check('SECURE_QUEUE_ENCRYPTION', q.encryption === QueueEncryption.KMS, {
          prop: p('encryption'),
          value: `${q.encryption} together with encryptionKey`,
          allowed: 'QueueEncryption.KMS when an encryptionKey is given',
          fix: `remove ${p('encryption')} (an encryptionKey implies KMS) or remove ${p('encryptionKey')}`,
        });
      }
      if (q.dataKeyReuse && !q.encryptionKey && q.encryption !== QueueEncryption.KMS) {
        v.notSetWith('SECURE_QUEUE_DATA_KEY_REUSE_SSE_SQS', p('dataKeyReuse'), q.dataKeyReuse, 'with SQS-managed encryption',
          `set ${p('encryption')}: QueueEncryption.KMS, or remove ${p('dataKeyReuse')}`);
      }
    },
    alarmTopicRule(prefix),
  ];
}
