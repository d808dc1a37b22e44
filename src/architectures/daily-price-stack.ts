import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, StackProps, Token, Tokenization, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PriceFetcherFunction } from './handlers/price-fetcher-function';
import { dailyPriceRules } from './rules';
import { consumerFunctionProps } from '../core/consumer/consumer-defaults';
import { ConsumerFunctionOptions } from '../core/consumer/consumer-options';
import { SecureTopic } from '../core/secure-topic';
import { validateProps } from '../core/validation';
import { EventRouter, RouteTarget } from '../patterns/event-router';
import { ScheduledJob, ScheduledJobTarget } from '../patterns/scheduled-job';
import { WriteBuffer, WriteBufferSink } from '../patterns/write-buffer';

/** `source` of the events the fetcher publishes. */
export const PRICE_EVENT_SOURCE = 'daily-price.fetcher';

/** The `PriceRecorded` detail the history table stores (what the writer validates). */
export const PRICE_SCHEMA: apigateway.JsonSchema = {
  type: apigateway.JsonSchemaType.OBJECT,
  required: ['priceId', 'symbol', 'price', 'changePercent'],
  properties: {
    priceId: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 64 },
    symbol: { type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength: 16 },
    price: { type: apigateway.JsonSchemaType.NUMBER },
    previousClose: { type: apigateway.JsonSchemaType.NUMBER },
    changePercent: { type: apigateway.JsonSchemaType.NUMBER },
    recordedAt: { type: apigateway.JsonSchemaType.STRING },
  },
};

/** Properties of the {@link DailyPriceStack} reference architecture. */
export interface DailyPriceStackProps extends StackProps {
  /** The quote endpoint (`GET <url>?symbol=AMZN` → `{ symbol, price, previousClose }`), e.g. `https://quotes.example.com/v1/quote`. */
  readonly quoteEndpoint: string;

  /**
   * Symbols fetched every run.
   *
   * @default ['AMZN']
   */
  readonly symbols?: string[];

  /**
   * Six-field EventBridge cron of the fetch.
   *
   * @default '0 21 ? * MON-FRI *' (21:00 on weekdays, after the US close)
   */
  readonly cronExpression?: string;

  /**
   * IANA time zone of `cronExpression`.
   *
   * @default 'America/New_York'
   */
  readonly timeZone?: string;

  /**
   * A price whose |change| vs the previous close is at least this many percent goes to the
   * alert topic. Range: more than 0, at most 1,000. A token (e.g. a CfnParameter) is fine: the
   * alert rule's pattern is then written as JSON text around it (`-threshold` included, which
   * CloudFormation could not compute from a number); it is not checked, so keep it positive.
   *
   * @default 5
   */
  readonly alertThresholdPercent?: number;

  /**
   * Settings of the fetcher function.
   *
   * @default - the consumer defaults (256 MB, 30 s, arm64, JSON logs kept one month)
   */
  readonly fetcher?: ConsumerFunctionOptions;

  /**
   * Archive every event of the bus (90 days) for replay. Turned off only where an
   * `AWS::Events::Archive` cannot be deployed (the local emulator's CloudFormation).
   *
   * @default true
   */
  readonly archiveEnabled?: boolean;

  /**
   * What happens to the price history table when the stack is deleted.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Reference architecture from the EventBridge demo: a daily job fetches closing prices and
 * publishes `PriceRecorded` events; the bus routes every price to a history table (through a
 * WriteBuffer) and big moves to an alert topic; everything is archived for replay.
 *
 * ```
 * ScheduledJob (21:00 America/New_York) -> price fetcher λ -> PutEvents PriceRecorded -> prices bus (archive)
 *   route History: every price  -> WriteBuffer queue -> writer λ -> price history table
 *   route Alerts:  |change| >= 5% -> alert topic
 * ```
 */
export class DailyPriceStack extends Stack {
  /** The bus with its routes and archive. */
  public readonly router: EventRouter;
  /** The daily job. */
  public readonly job: ScheduledJob;
  /** The fetcher function. */
  public readonly fetcher: lambda.IFunction;
  /** The history buffer (queue, writer, table). */
  public readonly history: WriteBuffer;
  /** The price history table (partition key `priceId`). */
  public readonly historyTable: dynamodb.TableV2;
  /** Big moves are published here. */
  public readonly alertTopic: SecureTopic;
  /** Every alarm of the stack notifies this topic. */
  public readonly alarmTopic: SecureTopic;

  constructor(scope: Construct, id: string, props: DailyPriceStackProps) {
    super(scope, id, props);
    validateProps(this, props, dailyPriceRules());
    const threshold = props.alertThresholdPercent ?? 5;
    const symbols = props.symbols ?? ['AMZN'];

    this.alarmTopic = new SecureTopic(this, 'Alarms');
    this.alarmTopic.allowServicePublisher(new iam.ServicePrincipal('cloudwatch.amazonaws.com'));
    this.alertTopic = new SecureTopic(this, 'PriceAlerts');
    this.alertTopic.allowServicePublisher(new iam.ServicePrincipal('events.amazonaws.com'));

    this.historyTable = new dynamodb.TableV2(this, 'PriceHistory', {
      partitionKey: { name: 'priceId', type: dynamodb.AttributeType.STRING },
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.history = new WriteBuffer(this, 'History', {
      sink: WriteBufferSink.dynamoDb({ table: this.historyTable }),
      messageSchema: PRICE_SCHEMA,
      consumer: { maxConcurrency: 2 },
      alarmTopic: this.alarmTopic.topic,
    });

    const recorded: events.EventPattern = { source: [PRICE_EVENT_SOURCE], detailType: ['PriceRecorded'] };
    // A token threshold cannot be negated here (arithmetic on a token is a wrong number) nor by
    // CloudFormation: the Alerts rule then gets its pattern as JSON text (alertsPatternText).
    const tokenThreshold = Token.isUnresolved(threshold);
    this.router = new EventRouter(this, 'Prices', {
      alarmTopic: this.alarmTopic.topic,
      archive: { enabled: props.archiveEnabled ?? true },
      routes: [
        {
          name: 'History',
          pattern: recorded,
          // The writer stores the detail (the PriceRecorded object), not the envelope.
          targets: [RouteTarget.queue(this.history.queue, { input: events.RuleTargetInput.fromEventPath('$.detail') })],
        },
        {
          name: 'Alerts',
          pattern: tokenThreshold ? recorded : {
            ...recorded,
            detail: { changePercent: events.Match.anyOf(events.Match.greaterThanOrEqual(threshold), events.Match.lessThanOrEqual(-threshold)) },
          },
          targets: [RouteTarget.topic(this.alertTopic.topic, {
            input: events.RuleTargetInput.fromText(
              `${events.EventField.fromPath('$.detail.symbol')} moved ${events.EventField.fromPath('$.detail.changePercent')}% to ${events.EventField.fromPath('$.detail.price')}`),
          })],
        },
      ],
    });

    if (tokenThreshold) {
      const alerts = this.router.routes.find(r => r.routeName === 'Alerts')!;
      (alerts.rule.node.defaultChild as events.CfnRule).addPropertyOverride('EventPattern', alertsPatternText(threshold));
    }

    // One queue for every failed run: Scheduler puts invocations it could not make there (the
    // job's DLQ), and Lambda the asynchronous invocations whose run failed after its own retries
    // (the function's DLQ). The job alarms when it holds a message.
    const failedRuns = new sqs.Queue(this, 'FailedRuns', {
      encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14),
    });
    failedRuns.node.defaultChild!.node.addMetadata(Validations.ACKNOWLEDGED_RULES_METADATA_KEY, {
      'AwsSolutions-SQS3': 'This queue IS a dead-letter queue: of the schedule\'s target and of the fetcher\'s asynchronous invocations.',
    });
    const parts = consumerFunctionProps(this, 'Fetcher', props.fetcher, 'fetcher.');
    const fetcher = new PriceFetcherFunction(this, 'Fetcher', {
      ...parts.props,
      deadLetterQueue: failedRuns,
      description: 'Fetches closing prices and publishes PriceRecorded events',
      environment: {
        QUOTE_ENDPOINT: props.quoteEndpoint,
        SYMBOLS: symbols.join(','),
        EVENT_BUS_NAME: this.router.eventBus.eventBusName,
        EVENT_SOURCE: PRICE_EVENT_SOURCE,
      },
    });
    this.router.grantPutEvents(fetcher);
    this.fetcher = fetcher;

    this.job = new ScheduledJob(this, 'DailyFetch', {
      cronExpression: props.cronExpression ?? '0 21 ? * MON-FRI *',
      timeZone: props.timeZone ?? 'America/New_York',
      target: ScheduledJobTarget.lambda({ function: fetcher }),
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: failedRuns,
      alarmTopic: this.alarmTopic.topic,
    });

    new CfnOutput(this, 'EventBusName', { value: this.router.eventBus.eventBusName });
    if (this.router.archive) new CfnOutput(this, 'ArchiveArn', { value: this.router.archive.archiveArn });
    new CfnOutput(this, 'EventBusArn', { value: this.router.eventBus.eventBusArn });
    new CfnOutput(this, 'HistoryTableName', { value: this.historyTable.tableName });
    new CfnOutput(this, 'HistoryQueueUrl', { value: this.history.queue.queueUrl });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topic.topicArn });
    new CfnOutput(this, 'FetcherFunctionName', { value: fetcher.functionName });
    new CfnOutput(this, 'ScheduleName', { value: this.job.schedule.scheduleName });
    new CfnOutput(this, 'ScheduleGroupName', { value: this.job.scheduleGroup.scheduleGroupName });
  }
}

/**
 * The Alerts rule's pattern (`|changePercent| >= threshold`) as JSON text around a token
 * threshold: `-` is written before the token's value, so CloudFormation makes the number.
 * (AWS::Events::Rule takes EventPattern as an object or as a string.)
 */
function alertsPatternText(threshold: number): string {
  const at = '@THRESHOLD@';
  const text = JSON.stringify({
    'source': [PRICE_EVENT_SOURCE],
    'detail-type': ['PriceRecorded'],
    'detail': { changePercent: [{ numeric: ['>=', at] }, { numeric: ['<=', `-${at}`] }] },
  });
  const value = Tokenization.stringifyNumber(threshold);
  return Fn.join('', text.split(`"-${at}"`).join(`-${at}`).split(`"${at}"`).join(at).split(at).flatMap((part, i) => i === 0 ? [part] : [value, part]));
}
