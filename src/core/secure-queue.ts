import { Arn, Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { maxMessageAgeOf, secureQueueRules } from './secure-queue-rules';
import { describeDuration, validateProps } from './validation';
import { createAlarm } from '../monitoring/alarm-factory';
import { AlarmOptions } from '../monitoring/alarm-options';
import { IMonitoredBlock } from '../monitoring/monitored-block';
import { QueueMetrics } from '../monitoring/queue-metrics';
import { queueWidgets } from '../monitoring/queue-widgets';

/**
 * How a {@link SecureQueue} encrypts messages at rest.
 */
export enum QueueEncryption {
  /** SSE with keys owned and rotated by SQS (SSE-SQS). Free, and AWS services can send without key grants. */
  SQS_MANAGED = 'SQS_MANAGED',
  /** SSE with a customer-managed KMS key (SSE-KMS): key policy control and CloudTrail audit of key use. */
  KMS = 'KMS',
}

/**
 * Properties of a {@link SecureQueue}. Alarms (oldest message age, dead-letter queue not empty) are on by default.
 */
export interface SecureQueueProps extends AlarmOptions {
  /**
   * Use this queue instead of creating one. The block then creates no dead-letter queue (an
   * imported queue's redrive policy cannot be changed from here) and accepts no queue settings;
   * pass `existingDeadLetterQueue` to monitor the DLQ the queue already has.
   *
   * @default - a new queue is created
   */
  readonly existingQueue?: sqs.IQueue;

  /**
   * Use this queue as the dead-letter queue instead of creating one. It must be FIFO when the
   * source queue is FIFO.
   *
   * @default - a new dead-letter queue is created (none when `existingQueue` is given)
   */
  readonly existingDeadLetterQueue?: sqs.IQueue;

  /**
   * Name of the queue. FIFO queue names must end in `.fifo`.
   *
   * @default - a name unique to this construct path (needed so the dead-letter queue's redrive
   * allow policy can name its only source queue without a circular reference)
   */
  readonly queueName?: string;

  /**
   * Whether the queue (and its dead-letter queue) is FIFO: exactly-once processing and
   * ordering per message group.
   *
   * @default false
   */
  readonly fifo?: boolean;

  /**
   * FIFO only: derive the deduplication id from a SHA-256 of the body, so producers need not send one.
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * FIFO only: high-throughput mode (deduplication and throughput limit per message group).
   *
   * @default false
   */
  readonly highThroughputFifo?: boolean;

  /**
   * How long an unconsumed message is kept. Range: 60 seconds to 14 days.
   *
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * How long the dead-letter queue keeps a message. Must be at least `retentionPeriod`: the
   * message's original enqueue time counts against the DLQ's retention, so a shorter DLQ
   * retention deletes failed messages before anyone looks at them.
   *
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;

  /**
   * How long a received message stays invisible to other consumers. Range: 0 to 12 hours.
   * Patterns with a Lambda consumer derive this from the function timeout (6 x timeout + batching window).
   *
   * @default Duration.seconds(30)
   */
  readonly visibilityTimeout?: Duration;

  /**
   * Delay before a new message becomes visible. Range: 0 to 15 minutes.
   *
   * @default Duration.seconds(0)
   */
  readonly deliveryDelay?: Duration;

  /**
   * Largest message the queue accepts, in bytes. Range: 1,024 (1 KiB) to 1,048,576 (1 MiB).
   *
   * @default 1048576
   */
  readonly maxMessageSizeBytes?: number;

  /**
   * Long-polling wait for receives. Range: 0 to 20 seconds. 20 s minimises empty receives (cost)
   * and receive latency.
   *
   * @default Duration.seconds(20)
   */
  readonly receiveMessageWaitTime?: Duration;

  /**
   * Receives after which a message moves to the dead-letter queue. Range: 1 to 1,000.
   *
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * Encryption at rest. Setting `encryptionKey` implies `QueueEncryption.KMS`.
   *
   * @default QueueEncryption.SQS_MANAGED
   */
  readonly encryption?: QueueEncryption;

  /**
   * Customer-managed KMS key for `QueueEncryption.KMS`; used for the dead-letter queue too.
   *
   * @default - with `QueueEncryption.KMS`, a new key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * KMS only: how long SQS may reuse a data key. Range: 1 minute to 24 hours.
   *
   * @default Duration.minutes(5)
   */
  readonly dataKeyReuse?: Duration;

  /**
   * What happens to the queues (and any messages in them) when the stack deletes them.
   *
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Alarm when the oldest message has waited longer than this. Must be shorter than
   * `retentionPeriod`, or messages expire before the alarm can fire.
   *
   * @default Duration.minutes(15), or half the `retentionPeriod` when that is under 30 minutes
   */
  readonly maxMessageAge?: Duration;
}

/**
 * A queue with a dead-letter queue and the defaults we stand behind: SSE on, TLS-only policy,
 * long polling, DLQ retention longer than the source's, a redrive allow policy that names the
 * source queue, and alarms on message age and on the DLQ.
 *
 * @example
 * const jobs = new SecureQueue(this, 'Jobs', { maxReceiveCount: 3 });
 * jobs.queue.grantSendMessages(producerRole);
 */
export class SecureQueue extends Construct implements IMonitoredBlock {
  /** The queue messages are sent to. */
  public readonly queue: sqs.IQueue;
  /** Where messages go after `maxReceiveCount` failed receives; undefined for an existing queue without `existingDeadLetterQueue`. */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The customer-managed key, when the queue uses `QueueEncryption.KMS`. */
  public readonly encryptionKey?: kms.IKey;
  /** Whether the queue is FIFO. */
  public readonly fifo: boolean;
  /** The receive count after which a message moves to the dead-letter queue; undefined for an existing queue. */
  public readonly maxReceiveCount?: number;
  /** The alarms this block created. */
  public readonly alarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: SecureQueueProps = {}) {
    super(scope, id);
    validateProps(this, props, secureQueueRules());

    if (props.existingQueue) {
      this.queue = props.existingQueue;
      this.fifo = props.existingQueue.fifo;
      this.deadLetterQueue = props.existingDeadLetterQueue;
      this.encryptionKey = props.existingQueue.encryptionMasterKey;
    } else {
      this.fifo = props.fifo ?? (props.queueName !== undefined && !Token.isUnresolved(props.queueName) && props.queueName.endsWith('.fifo'));
      this.encryptionKey = this.resolveEncryptionKey(props);
      this.maxReceiveCount = props.maxReceiveCount ?? 5;
      const queueName = props.queueName ?? this.defaultQueueName();
      const common = this.commonQueueProps(props);
      this.deadLetterQueue = props.existingDeadLetterQueue ?? new sqs.Queue(this, 'DeadLetterQueue', {
        ...common,
        queueName: Token.isUnresolved(queueName) ? undefined : deadLetterName(queueName, this.fifo),
        retentionPeriod: props.deadLetterRetentionPeriod ?? Duration.days(14),
        // Only our source queue may use this DLQ. Named by ARN to avoid a circular reference.
        redriveAllowPolicy: {
          redrivePermission: sqs.RedrivePermission.BY_QUEUE,
          sourceQueues: [sqs.Queue.fromQueueArn(this, 'SourceQueueRef', this.queueArnFromName(queueName))],
        },
      });
      if (this.deadLetterQueue instanceof sqs.Queue && !props.existingDeadLetterQueue) {
        Validations.of(this.deadLetterQueue).acknowledge({
          id: 'AwsSolutions-SQS3',
          reason: 'This is the dead-letter queue: a DLQ of a DLQ would only move the problem; its depth is alarmed instead.',
        });
      }
      this.queue = new sqs.Queue(this, 'Queue', {
        ...common,
        queueName,
        retentionPeriod: props.retentionPeriod,
        visibilityTimeout: props.visibilityTimeout,
        deliveryDelay: props.deliveryDelay,
        maxMessageSizeBytes: props.maxMessageSizeBytes,
        contentBasedDeduplication: props.contentBasedDeduplication,
        deduplicationScope: props.highThroughputFifo ? sqs.DeduplicationScope.MESSAGE_GROUP : undefined,
        fifoThroughputLimit: props.highThroughputFifo ? sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID : undefined,
        deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: this.maxReceiveCount },
      });
    }

    if (props.alarmsEnabled ?? true) {
      this.createAlarms(props);
    }
  }

  /** Widgets for a pattern dashboard: traffic and age of the queue, depth of the DLQ. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return queueWidgets(this.node.id, this.queue, this.deadLetterQueue);
  }

  private resolveEncryptionKey(props: SecureQueueProps): kms.IKey | undefined {
    const wantsKms = props.encryptionKey !== undefined || props.encryption === QueueEncryption.KMS;
    if (!wantsKms) return undefined;
    return props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Encrypts the messages of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
  }

  /** Settings shared by the queue and its dead-letter queue. */
  private commonQueueProps(props: SecureQueueProps): sqs.QueueProps {
    const kmsKey = this.encryptionKey;
    return {
      fifo: this.fifo ? true : undefined,
      enforceSSL: true,
      encryption: kmsKey ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: kmsKey,
      dataKeyReuse: kmsKey ? props.dataKeyReuse : undefined,
      receiveMessageWaitTime: props.receiveMessageWaitTime ?? Duration.seconds(20),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    };
  }

  private defaultQueueName(): string {
    const base = Names.uniqueResourceName(this, { maxLength: 70, separator: '-' });
    return this.fifo ? `${base}.fifo` : base;
  }

  private queueArnFromName(queueName: string): string {
    return Arn.format({ service: 'sqs', resource: queueName }, Stack.of(this));
  }

  private createAlarms(props: SecureQueueProps): void {
    const maxAge = maxMessageAgeOf(props);
    this.alarms.push(createAlarm(this, 'OldestMessageAgeAlarm', {
      metric: QueueMetrics.ageOfOldestMessage(this.queue),
      threshold: maxAge.toSeconds({ integral: false }),
      evaluationPeriods: 3,
      description: `${this.node.path}: the oldest message has waited more than ${describeDuration(maxAge)}; consumers are down or too slow.`,
      alarmTopic: props.alarmTopic,
    }));
    if (this.deadLetterQueue) {
      this.alarms.push(createAlarm(this, 'DeadLetterQueueNotEmptyAlarm', {
        metric: QueueMetrics.visibleMessages(this.deadLetterQueue),
        threshold: 0,
        evaluationPeriods: 1,
        description: `${this.node.path}: messages are in the dead-letter queue; they failed ${this.maxReceiveCount ?? 'the maximum number of'} receives. Inspect and redrive them.`,
        alarmTopic: props.alarmTopic,
      }));
    }
  }
}

function deadLetterName(queueName: string, fifo: boolean): string {
  return fifo ? `${queueName.replace(/\.fifo$/, '')}-dlq.fifo` : `${queueName}-dlq`;
}
