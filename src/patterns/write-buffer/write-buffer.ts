import { Annotations, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { checkSchemaKeywords, customWriterTimeout, dataApiEnabled, dataApiSecret, tableKeySchema, tableWriteThrottles, toJsonSchema } from './checks';
import { WriteBufferFrontDoor } from './front-door';
import { WriteBufferProps } from './props';
import { DataApiParameterType, DataApiSinkOptions, DynamoDbSinkOptions, WriteBufferSink, WriteBufferSinkKind } from './sink';
import { WriteBufferWriterFunction } from './writer-function';
import { consumerFunctionProps } from '../../core/consumer/consumer-defaults';
import { SecureQueue, SecureQueueProps } from '../../core/secure-queue';
import { check, checkDurationInRange, checkNotSetWith, checkNumberInRange, describeDuration } from '../../core/validation';
import { createAlarm } from '../../monitoring/alarm-factory';
import { FunctionMetrics } from '../../monitoring/function-metrics';
import { IMonitoredBlock } from '../../monitoring/monitored-block';
import { PatternDashboard } from '../../monitoring/pattern-dashboard';
import { queueWidgets } from '../../monitoring/queue-widgets';

/**
 * Write buffer: producers send to a queue; a throttled writer (bounded concurrency, partial
 * batch responses) writes the messages into DynamoDB, Aurora (RDS Data API) or your own writer,
 * at the rate the database can take. Poison messages (not JSON, schema failures, missing keys)
 * go to the dead-letter queue without blocking their batch; nothing is lost.
 *
 * ```
 * producers / REST front door -> SecureQueue (DLQ) -> writer λ (max N at once) -> DynamoDB | Aurora | your writer
 * ```
 *
 * @example
 * const buffer = new WriteBuffer(this, 'Orders', {
 *   sink: WriteBufferSink.dynamoDb({ table: ordersTable }),
 *   maxConcurrentWriters: 5,
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
  /** The maximum concurrency of the writer's event source. */
  public readonly maxConcurrentWriters: number;
  /** The REST front door, when asked for. */
  public readonly frontDoor?: WriteBufferFrontDoor;
  /** The pattern's dashboard. */
  public readonly dashboard: PatternDashboard;
  /** The table written to (DynamoDB sink). */
  public readonly table?: dynamodb.ITable;
  private readonly writerAlarms: cloudwatch.IAlarm[] = [];

  constructor(scope: Construct, id: string, props: WriteBufferProps) {
    super(scope, id);
    const sink = props.sink;
    const queueProps = props.queueProps ?? {};
    const existing = queueProps.existingQueue !== undefined;
    const fifo = existing ? queueProps.existingQueue!.fifo : (queueProps.fifo ?? (queueProps.queueName?.endsWith('.fifo') ?? false));
    const bundled = sink.kind !== WriteBufferSinkKind.CUSTOM_WRITER;
    this.validateEventSource(props, fifo);
    if (!bundled) {
      checkNotSetWith(this, 'writerOptions', props.writerOptions, 'with WriteBufferSink.customWriter (your function is not reconfigured)',
        'set memory, timeout and logging on your function, or remove writerOptions');
      checkNotSetWith(this, 'messageSchema', props.messageSchema && !props.frontDoor ? props.messageSchema : undefined,
        'with WriteBufferSink.customWriter and no front door (the bundled writer validates messages; yours must do it itself)',
        'validate in your writer, or use a bundled sink');
    }
    if (props.messageSchema) checkSchemaKeywords(this, 'messageSchema', props.messageSchema);

    // Writer first: its timeout sizes the queue's visibility timeout.
    const writerTimeout = bundled ? (props.writerOptions?.timeout ?? Duration.seconds(30)) : customWriterTimeout(sink.writer!);
    const window = props.maxBatchingWindow ?? Duration.seconds(0);
    const visibility = this.resolveVisibilityTimeout(queueProps, writerTimeout, window, existing);
    if (existing) {
      check(this, queueProps.existingDeadLetterQueue !== undefined, {
        prop: 'queueProps.existingDeadLetterQueue',
        value: 'undefined with queueProps.existingQueue',
        allowed: 'the dead-letter queue of the existing queue (poison messages are sent to it, and its depth is alarmed)',
        fix: 'pass queueProps.existingDeadLetterQueue (the queue its redrive policy names), or let the buffer create both queues',
      });
    }
    this.secureQueue = new SecureQueue(this, 'Queue', {
      ...queueProps,
      visibilityTimeout: visibility,
      alarmTopic: queueProps.alarmTopic ?? props.alarmTopic,
      alarmsEnabled: (props.alarmsEnabled ?? true) && (queueProps.alarmsEnabled ?? true),
    });
    this.queue = this.secureQueue.queue;
    this.deadLetterQueue = this.secureQueue.deadLetterQueue!;

    this.maxConcurrentWriters = props.maxConcurrentWriters ?? 2;
    if (bundled) {
      this.writer = this.buildWriter(sink, props);
      if (sink.dynamoDbOptions) this.table = sink.dynamoDbOptions.table;
    } else {
      this.writer = sink.writer!;
    }
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize: props.batchSize ?? 10,
      maxBatchingWindow: props.maxBatchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency: this.maxConcurrentWriters,
    });
    this.writer.addEventSource(this.eventSource);

    if (props.frontDoor) {
      this.frontDoor = new WriteBufferFrontDoor(this, 'FrontDoor', { ...props.frontDoor, queue: this.queue, requestSchema: props.messageSchema });
    }
    if (props.alarmsEnabled ?? true) this.createWriterAlarms(props);

    this.dashboard = new PatternDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      description: 'Write buffer: queue traffic and lag (age of the oldest message), dead letters, then the writer (invocations, errors, throttles, duration) and the sink\'s throttling.',
    });
    this.dashboard.addBlock('Buffer queue', this.secureQueue);
    this.dashboard.addSection('Writer', this.writerWidgets(), this.writerAlarms);
  }

  /** Every alarm of the pattern: buffer lag, dead letters, writer errors and throttles, table throttling. */
  public get alarms(): cloudwatch.IAlarm[] {
    return [...this.secureQueue.alarms, ...this.writerAlarms];
  }

  /** Lets `grantee` send messages to the buffer (and use the queue's KMS key). */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    return this.queue.grantSendMessages(grantee);
  }

  /** Widgets of the whole pattern. */
  public dashboardWidgets(): cloudwatch.IWidget[] {
    return [...queueWidgets('Buffer queue', this.queue, this.deadLetterQueue), ...this.writerWidgets()];
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

  private validateEventSource(props: WriteBufferProps, fifo: boolean): void {
    checkNumberInRange(this, 'maxConcurrentWriters', props.maxConcurrentWriters, {
      min: 2,
      max: 1000,
      fix: 'set maxConcurrentWriters from 2 to 1000 (the SQS event source\'s maximum concurrency range); size it from the database\'s write capacity',
    });
    checkDurationInRange(this, 'maxBatchingWindow', props.maxBatchingWindow, { min: Duration.seconds(0), max: Duration.minutes(5) });
    if (fifo) {
      checkNotSetWith(this, 'maxBatchingWindow', props.maxBatchingWindow, 'on a FIFO queue (the SQS event source does not batch FIFO queues by time)',
        'remove maxBatchingWindow, or use a standard queue');
    }
    const maxBatch = props.maxBatchingWindow !== undefined && !fifo ? 10_000 : 10;
    checkNumberInRange(this, 'batchSize', props.batchSize, {
      min: 1,
      max: maxBatch,
      fix: fifo
        ? 'set batchSize from 1 to 10 (FIFO queues)'
        : maxBatch === 10
          ? 'set batchSize from 1 to 10, or set maxBatchingWindow to allow up to 10,000'
          : 'set batchSize from 1 to 10,000',
    });
  }

  /** AWS's rule: visibility timeout >= 6 x function timeout + batching window. A lower hand-set value is an error. */
  private resolveVisibilityTimeout(
    queueProps: SecureQueueProps, writerTimeout: Duration | undefined, window: Duration, existing: boolean,
  ): Duration | undefined {
    if (existing) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:writeBufferExistingQueueVisibility',
        `The existing queue's visibility timeout cannot be checked here: it must be at least 6 x the writer's timeout${writerTimeout ? ` (${describeDuration(writerTimeout)})` : ''} + maxBatchingWindow, or messages are processed twice.`);
      return undefined;
    }
    if (writerTimeout === undefined || writerTimeout.isUnresolved() || window.isUnresolved()) {
      check(this, queueProps.visibilityTimeout !== undefined, {
        prop: 'queueProps.visibilityTimeout',
        value: 'undefined with a writer whose timeout is unknown here (an imported function)',
        allowed: 'at least 6 x the writer\'s timeout + maxBatchingWindow',
        fix: 'set queueProps.visibilityTimeout, e.g. Duration.minutes(3) for a 30-second writer',
      });
      return queueProps.visibilityTimeout;
    }
    const required = Duration.seconds(6 * writerTimeout.toSeconds() + window.toSeconds());
    const given = queueProps.visibilityTimeout;
    if (given !== undefined && !given.isUnresolved()) {
      check(this, given.toSeconds() >= required.toSeconds(), {
        prop: 'queueProps.visibilityTimeout',
        value: describeDuration(given),
        allowed: `at least ${describeDuration(required)} (6 x the writer's timeout of ${describeDuration(writerTimeout)} + maxBatchingWindow of ${describeDuration(window)}, AWS's rule for SQS event sources)`,
        fix: `raise queueProps.visibilityTimeout to ${describeDuration(required)} or more, or leave it unset to derive it`,
      });
      return given;
    }
    return required;
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
    const parts = consumerFunctionProps(this, 'Writer', props.writerOptions);
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

  /** TABLE_NAME, PARTITION_KEY, SORT_KEY: from the props, checked against the table's key schema when it is known. */
  private dynamoDbEnvironment(options: DynamoDbSinkOptions): { [key: string]: string } {
    const schema = tableKeySchema(options.table);
    const tableName = options.table.node.path;
    if (schema) {
      check(this, options.partitionKey === undefined || options.partitionKey === schema.partitionKey, {
        prop: 'sink.partitionKey',
        value: `"${options.partitionKey}"`,
        allowed: `the partition key of table ${tableName}: "${schema.partitionKey}" (the writer takes each item's key from the message)`,
        fix: `set partitionKey to "${schema.partitionKey}" or leave it unset, or write to a table keyed by "${options.partitionKey}"`,
      });
      check(this, options.sortKey === undefined || options.sortKey === schema.sortKey, {
        prop: 'sink.sortKey',
        value: `"${options.sortKey}"`,
        allowed: schema.sortKey ? `the sort key of table ${tableName}: "${schema.sortKey}"` : `none: table ${tableName} has no sort key`,
        fix: schema.sortKey ? `set sortKey to "${schema.sortKey}" or leave it unset` : 'remove sortKey, or write to a table with that sort key',
      });
    } else {
      check(this, options.partitionKey !== undefined, {
        prop: 'sink.partitionKey',
        value: `undefined for table ${tableName}, whose key schema is not known here (an imported table)`,
        allowed: 'the name of the table\'s partition key attribute (the writer takes each item\'s key from the message)',
        fix: 'set partitionKey (and sortKey when the table has one), e.g. WriteBufferSink.dynamoDb({ table, partitionKey: "orderId" })',
      });
    }
    const partitionKey = options.partitionKey ?? schema!.partitionKey;
    const sortKey = options.sortKey ?? schema?.sortKey;
    return { TABLE_NAME: options.table.tableName, PARTITION_KEY: partitionKey, ...(sortKey ? { SORT_KEY: sortKey } : {}) };
  }

  private dataApiEnvironment(options: DataApiSinkOptions): { [key: string]: string } {
    const cluster = options.cluster;
    const enabled = dataApiEnabled(cluster);
    if (enabled === undefined) {
      Annotations.of(this).addWarningV2('cdk-integration-patterns:writeBufferDataApiUnknown',
        `The Data API of cluster ${cluster.node.path} cannot be checked here (an imported cluster): it must be enabled, or every write fails.`);
    } else {
      check(this, enabled, {
        prop: 'sink.cluster',
        value: `cluster ${cluster.node.path} without the Data API`,
        allowed: 'an Aurora cluster with the RDS Data API enabled (the writer calls BatchExecuteStatement)',
        fix: 'set enableDataApi: true on the rds.DatabaseCluster (Aurora PostgreSQL 13.11+/14.8+/15.3+ or Aurora MySQL 3.07+, Serverless v2 or provisioned)',
      });
    }
    const secret = dataApiSecret(options);
    check(this, secret !== undefined, {
      prop: 'sink.secret',
      value: 'undefined, and the cluster has no secret of its own here',
      allowed: 'the Secrets Manager secret with the database credentials',
      fix: 'pass secret (e.g. the cluster\'s credentials secret)',
    });
    check(this, options.databaseName.length > 0, { prop: 'sink.databaseName', value: '"" (empty)', allowed: 'a database name', fix: 'e.g. "shop"' });
    const inSql = new Set([...options.sql.matchAll(/(?<!:):([A-Za-z_][A-Za-z0-9_]*)/g)].map(m => m[1]));
    const mapped = options.parameters.map(p => p.name);
    const unmapped = [...inSql].filter(name => !mapped.includes(name));
    const unused = mapped.filter(name => !inSql.has(name));
    check(this, !Token.isUnresolved(options.sql) && unmapped.length === 0 && unused.length === 0 && new Set(mapped).size === mapped.length, {
      prop: 'sink.parameters',
      value: `statement parameters [${[...inSql].map(n => `:${n}`).join(', ')}], mapped [${mapped.join(', ')}]`,
      allowed: 'exactly one mapping per named parameter of sql (and no mapping without a parameter)',
      fix: unmapped.length > 0 ? `add mappings for ${unmapped.map(n => `:${n}`).join(', ')}` : unused.length > 0 ? `remove mappings ${unused.join(', ')} or use them in sql` : 'map each parameter once',
    });
    return {
      CLUSTER_ARN: cluster.clusterArn,
      SECRET_ARN: secret!.secretArn,
      DATABASE_NAME: options.databaseName,
      SQL_STATEMENT: options.sql,
      PARAMETER_MAPPING: JSON.stringify(options.parameters.map(p => ({ name: p.name, field: p.field, type: p.type ?? DataApiParameterType.STRING }))),
    };
  }

  private createWriterAlarms(props: WriteBufferProps): void {
    const alarmTopic = props.alarmTopic;
    const path = this.writer instanceof Construct ? this.writer.node.path : this.node.path;
    this.writerAlarms.push(
      createAlarm(this, 'WriterErrorsAlarm', {
        metric: FunctionMetrics.errors(this.writer),
        threshold: 0,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        description: `${path}: the writer of ${this.node.path} is failing (whole invocations, e.g. timeouts); its messages are retried and reach the dead-letter queue after ${this.secureQueue.maxReceiveCount ?? 'the maximum'} receives.`,
        alarmTopic,
      }),
      createAlarm(this, 'WriterThrottlesAlarm', {
        metric: FunctionMetrics.throttles(this.writer),
        threshold: 0,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description: `${path}: the writer of ${this.node.path} is throttled by Lambda; raise the account's or the function's concurrency, or lower maxConcurrentWriters.`,
        alarmTopic,
      }),
    );
    if (this.table) {
      this.writerAlarms.push(createAlarm(this, 'TableWriteThrottlesAlarm', {
        metric: tableWriteThrottles(this.table),
        threshold: 0,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        description: `${this.node.path}: writes to the table are throttled; the writer retries and the buffer grows. Lower maxConcurrentWriters or raise the table's write capacity.`,
        alarmTopic,
      }));
    }
  }
}
