import { Annotations, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { bufferFrontDoor } from './buffer-front-door';
import { customWriterTimeout, dataApiEnabled, dataApiSecret, tableKeySchema, tableWriteThrottles, toJsonSchema } from './checks';
import { WriteBufferProps } from './props';
import { writeBufferRules } from './rules';
import { DataApiParameterType, DataApiSinkOptions, DynamoDbSinkOptions, WriteBufferSink, WriteBufferSinkKind } from './sink';
import { WriteBufferWriterFunction } from './writer-function';
import { consumerAlarms } from '../../core/consumer/consumer-alarms';
import { consumerFunctionProps } from '../../core/consumer/consumer-defaults';
import { requiredVisibilityTimeout } from '../../core/consumer/consumer-rules';
import { SecureQueue } from '../../core/secure-queue';
import { describeDuration, validateProps } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { patternDashboard } from '../../monitoring/dashboard-factory';
import { FunctionMetrics } from '../../monitoring/function-metrics';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { queueWidgets } from '../../monitoring/queue-widgets';
import { FrontDoor } from '../front-door';

/**
 * Write buffer: producers send to a queue; a throttled writer (bounded concurrency, partial
 * batch responses) writes the messages into DynamoDB, Aurora (RDS Data API) or your own writer,
 * at the rate the database can take. Poison messages (not JSON, schema failures, missing keys)
 * go to the dead-letter queue without blocking their batch; nothing is lost.
 *
 * ```
 * producers / FrontDoor queue route -> SecureQueue (DLQ) -> writer λ (max N at once) -> DynamoDB | Aurora | your writer
 * ```
 *
 * @example
 * const buffer = new WriteBuffer(this, 'Orders', {
 *   sink: WriteBufferSink.dynamoDb({ table: ordersTable }),
 *   consumer: { maxConcurrency: 5 },
 * });
 * buffer.grantSend(checkoutFunction);
 */
export class WriteBuffer extends Construct implements IMonitoredBlock {
  /** The queue block. */
  public readonly secureQueue: SecureQueue;
  /** The buffer queue producers send to. */
  public readonly queue: sqs.IQueue;
  /** Where poison messages and messages that failed `maxReceiveCount` times go. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The writer function: the bundled one, or yours. */
  public readonly writer: lambda.IFunction;
  /** The event source that feeds the writer. */
  public readonly eventSource: SqsEventSource;
  /** The maximum concurrency of the writer's event source (`consumer.maxConcurrency`). */
  public readonly maxConcurrency: number;
  /** The front door (a FrontDoor with one queue route), when asked for. */
  public readonly frontDoor?: FrontDoor;
  /** The pattern's dashboard (yours when `dashboard` was given); undefined with `dashboardEnabled: false`. */
  public readonly dashboard?: PatternDashboard;
  /** The table written to (DynamoDB sink). */
  public readonly table?: dynamodb.ITable;
  private readonly writerAlarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: WriteBufferProps) {
    super(scope, id);
    validateProps(this, props, writeBufferRules());
    const sink = props.sink;
    const queueProps = props.queueProps ?? {};
    const existing = queueProps.existingQueue !== undefined;
    const bundled = sink.kind !== WriteBufferSinkKind.CUSTOM_WRITER;
    const consumer = props.consumer ?? {};

    // Writer first: its timeout sizes the queue's visibility timeout (the consumer module's rule).
    const writerTimeout = bundled ? (consumer.timeout ?? Duration.seconds(30)) : customWriterTimeout(sink.writer!);
    if (existing) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:writeBufferExistingQueueVisibility',
        `The existing queue's visibility timeout cannot be checked here: it must be at least 6 x the writer's timeout${writerTimeout ? ` (${describeDuration(writerTimeout)})` : ''} + consumer.maxBatchingWindow, or messages are processed twice.`);
    }
    this.secureQueue = new SecureQueue(this, 'Queue', {
      ...queueProps,
      visibilityTimeout: existing ? undefined
        : (queueProps.visibilityTimeout ?? requiredVisibilityTimeout(writerTimeout, consumer.maxBatchingWindow)),
      alarmTopic: queueProps.alarmTopic ?? props.alarmTopic,
      alarmsEnabled: (props.alarmsEnabled ?? true) && (queueProps.alarmsEnabled ?? true),
    });
    this.queue = this.secureQueue.queue;
    this.deadLetterQueue = this.secureQueue.deadLetterQueue!;

    this.maxConcurrency = consumer.maxConcurrency ?? 2;
    if (bundled) {
      this.writer = this.buildWriter(sink, props);
      if (sink.dynamoDbOptions) this.table = sink.dynamoDbOptions.table;
    } else {
      this.writer = sink.writer!;
    }
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: consumer.batchSize ?? 10,
      maxBatchingWindow: consumer.maxBatchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: this.maxConcurrency,
    });
    this.writer.addEventSource(this.eventSource);

    if (props.frontDoor) {
      this.frontDoor = bufferFrontDoor(this, 'FrontDoor', {
        options: props.frontDoor,
        queue: this.queue,
        messageSchema: props.messageSchema,
        alarmsEnabled: props.alarmsEnabled ?? true,
        alarmTopic: props.alarmTopic,
      });
    }
    if (props.alarmsEnabled ?? true) this.createWriterAlarms(props);

    this.dashboard = patternDashboard(this, props,
      'Write buffer: queue traffic and lag (age of the oldest message), dead letters, then the writer (invocations, errors, throttles, duration) and the sink\'s throttling.');
    const prefix = props.dashboard ? `${id}: ` : '';
    this.dashboard?.addBlock(`${prefix}Buffer queue`, this.secureQueue);
    this.dashboard?.addSection(`${prefix}Writer`, this.writerWidgets(), this.writerAlarms);
    if (this.frontDoor) this.dashboard?.addBlock(`${prefix}Front door`, this.frontDoor);
  }

  /** Every alarm of the pattern: buffer lag, dead letters, writer errors and throttles, table throttling, the front door's. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.secureQueue.alarms, ...this.writerAlarms, ...(this.frontDoor?.alarms ?? [])];
  }

  /** Lets `grantee` send messages to the buffer (and use the queue's KMS key). */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** Widgets of the whole pattern. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...queueWidgets('Buffer queue', this.queue, this.deadLetterQueue), ...this.writerWidgets(), ...(this.frontDoor?.dashboardWidgets() ?? [])];
  }

  private writerWidgets(): cloudwatch.IWidget[] {
    const widgets: cloudwatch.IWidget[] = [new cloudwatch.GraphWidget({
      title: 'Writer',
      left: [FunctionMetrics.invocations(this.writer), FunctionMetrics.errors(this.writer), FunctionMetrics.throttles(this.writer)],
      right: [FunctionMetrics.durationP99(this.writer)],
      width: this.table ? 12 : 24,
    })];
    if (this.table) {
      widgets.push(new cloudwatch.GraphWidget({ title: 'Table: write throttle events', left: [tableWriteThrottles(this.table)], width: 12 }));
    }
    return widgets;
  }

  private buildWriter(sink: WriteBufferSink, props: WriteBufferProps): lambda.Function {
    const environment: { [key: string]: string } = {
      DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
    };
    if (props.messageSchema) environment.MESSAGE_SCHEMA = JSON.stringify(toJsonSchema(props.messageSchema));
    if (sink.dynamoDbOptions) {
      Object.assign(environment, { WRITE_BUFFER_SINK: 'dynamodb', ...this.dynamoDbEnvironment(sink.dynamoDbOptions) });
    } else {
      Object.assign(environment, { WRITE_BUFFER_SINK: 'data-api', ...this.dataApiEnvironment(sink.dataApiOptions!) });
    }
    const parts = consumerFunctionProps(this, 'Writer', props.consumer);
    const fn = new WriteBufferWriterFunction(this, 'Writer', {
      ...parts.props,
      description: `Writes the messages of ${this.node.path} in batches (${sink.kind} sink); poison messages to the dead-letter queue`,
      environment,
    });
    // Only SendMessage (grantSendMessages would add wildcard KMS actions): poison goes to the DLQ.
    iam.Grant.addToPrincipal({ grantee: fn, actions: ['sqs:SendMessage'], resourceArns: [this.deadLetterQueue.queueArn] });
    this.deadLetterQueue.encryptionMasterKey?.grant(fn, 'kms:GenerateDataKey', 'kms:Decrypt');
    if (sink.dynamoDbOptions) {
      const table = sink.dynamoDbOptions.table;
      // Only what the writer does (grantWriteData would add UpdateItem and DeleteItem).
      table.grant(fn, 'dynamodb:BatchWriteItem', 'dynamodb:PutItem');
      // What grantWriteData gives for a customer-managed key, spelled out (no wildcard actions).
      table.encryptionKey?.grant(fn, 'kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext');
    } else {
      const options = sink.dataApiOptions!;
      iam.Grant.addToPrincipal({ grantee: fn, actions: ['rds-data:BatchExecuteStatement'], resourceArns: [options.cluster.clusterArn] });
      dataApiSecret(options)!.grantRead(fn);
    }
    return fn;
  }

  /** TABLE_NAME, PARTITION_KEY, SORT_KEY: from the props, or the table's key schema (checked by the rules). */
  private dynamoDbEnvironment(options: DynamoDbSinkOptions): { [key: string]: string } {
    const schema = tableKeySchema(options.table);
    const partitionKey = options.partitionKey ?? schema!.partitionKey;
    const sortKey = options.sortKey ?? schema?.sortKey;
    return { TABLE_NAME: options.table.tableName, PARTITION_KEY: partitionKey, ...(sortKey ? { SORT_KEY: sortKey } : {}) };
  }

  private dataApiEnvironment(options: DataApiSinkOptions): { [key: string]: string } {
    const cluster = options.cluster;
    if (dataApiEnabled(cluster) === undefined) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:writeBufferDataApiUnknown',
        `The Data API of cluster ${cluster.node.path} cannot be checked here (an imported cluster): it must be enabled, or every write fails.`);
    }
    return {
      CLUSTER_ARN: cluster.clusterArn,
      SECRET_ARN: dataApiSecret(options)!.secretArn,
      DATABASE_NAME: options.databaseName,
      SQL_STATEMENT: options.sql,
      PARAMETER_MAPPING: JSON.stringify(options.parameters.map(p => ({ name: p.name, field: p.field, type: p.type ?? DataApiParameterType.STRING }))),
    };
  }

  private createWriterAlarms(props: WriteBufferProps): void {
    const alarmTopic = props.alarmTopic;
    const path = this.writer instanceof Construct ? this.writer.node.path : this.node.path;
    this.writerAlarms.push(...consumerAlarms(this, {
      fn: this.writer,
      errorsId: 'WriterErrorsAlarm',
      throttlesId: 'WriterThrottlesAlarm',
      errorsDescription: `${path}: the writer of ${this.node.path} is failing (whole invocations, e.g. timeouts); its messages are retried and reach the dead-letter queue after ${this.secureQueue.maxReceiveCount ?? 'the maximum'} receives.`,
      throttlesDescription: `${path}: the writer of ${this.node.path} is throttled by Lambda; raise the account's or the function's concurrency, or lower consumer.maxConcurrency.`,
      alarmTopic,
    }));
    if (this.table) {
      this.writerAlarms.push(createAlarm(this, 'TableWriteThrottlesAlarm', {
        metric: tableWriteThrottles(this.table),
        threshold: 0,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description: `${this.node.path}: writes to the table are throttled; the writer retries and the buffer grows. Lower consumer.maxConcurrency or raise the table's write capacity.`,
        alarmTopic,
      }));
    }
  }
}
