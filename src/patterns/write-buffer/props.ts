import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { WriteBufferFrontDoorOptions } from './front-door';
import { WriteBufferSink } from './sink';
import { QueueConsumerFunctionOptions } from '../../core/consumer/consumer-options';
import { SecureQueueProps } from '../../core/secure-queue';
import { AlarmOptions } from '../../monitoring/alarm-options';
import { DashboardOptions } from '../../monitoring/dashboard-options';

/**
 * Properties of a {@link WriteBuffer}.
 */
export interface WriteBufferProps extends AlarmOptions, DashboardOptions {
  /**
   * Where messages are written: `WriteBufferSink.dynamoDb(...)`, `WriteBufferSink.dataApi(...)`
   * or `WriteBufferSink.customWriter(fn)`.
   */
  readonly sink: WriteBufferSink;

  /**
   * Settings of the buffer queue, passed to {@link SecureQueue}: `fifo: true` keeps per-entity
   * order (message groups), `existingQueue` + `existingDeadLetterQueue` use queues you have,
   * `encryption`/`encryptionKey` choose KMS. `visibilityTimeout` is derived from the writer
   * (6 x its timeout + consumer.maxBatchingWindow, AWS's rule) and may only be set higher.
   *
   * @default - a new standard queue with a dead-letter queue and the SecureQueue defaults
   */
  readonly queueProps?: SecureQueueProps;

  /**
   * The writer: how the queue feeds it and, for the bundled writer (DynamoDB and Data API
   * sinks), its function settings (`memorySize`, `timeout`, ...; not with
   * `WriteBufferSink.customWriter`, whose function is yours).
   *
   * `consumer.maxConcurrency` is the throttle: the most writer invocations that run at once
   * (the SQS event source's maximum concurrency), so at most `maxConcurrency x batchSize`
   * messages are being written at any moment. Size it from the database's capacity:
   * `maxConcurrency <= sustainable writes per second x write latency (s) / batchSize`
   * (see the README). Range: 2 to 1,000; default 2 (the lowest SQS allows: raise it after you
   * measure the database). `batchSize` defaults to 10; `maxBatchingWindow` to none. The writer's
   * `timeout` (default 30 s) sizes the queue's visibility timeout.
   *
   * @default - maxConcurrency 2, batchSize 10, no batching window, the consumer defaults (256 MB, 30 s, arm64, JSON logs kept one month)
   */
  readonly consumer?: QueueConsumerFunctionOptions;

  /**
   * JSON schema every message body must match (bundled writer only). A message that is not JSON,
   * not an object, or does not match goes straight to the dead-letter queue without blocking the
   * batch. Supported keywords: type, required, properties, enum, minimum, maximum, minLength,
   * maxLength, pattern, items, additionalProperties. The front door validates requests with it too.
   *
   * @default - any JSON object carrying the keys the sink needs
   */
  readonly messageSchema?: apigateway.JsonSchema;

  /**
   * An API in front of the queue: a FrontDoor (REST by default, or HTTP) whose `POST /<path>`
   * route sends the body to the queue directly (no Lambda), with every FrontDoor setting. Its
   * alarms go to `alarmTopic`, its section onto the buffer's dashboard.
   *
   * @default - no front door: producers send with the SDK (`grantSend`)
   */
  readonly frontDoor?: WriteBufferFrontDoorOptions;
}
