import { Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EventRouter, RouteTarget, SecureQueue, SecureQueueProps } from '../../src';
import { BadInputCase, errorMessageOf, expectBadInput, expectFragmentsInOrder, expectNumberTokenAccepted, newStack, templateOf } from '../support';

const code = lambda.Code.fromInline('exports.handler = async () => undefined;');
const pricePattern: events.EventPattern = { source: ['prices'], detailType: ['PriceRecorded'] };

function queue(stack: Stack, id = 'Target', props: SecureQueueProps = {}): sqs.IQueue {
  return new SecureQueue(stack, id, { alarmsEnabled: false, ...props }).queue;
}

function routerWithQueueRoute(stack: Stack = newStack()) {
  const router = new EventRouter(stack, 'Router');
  const target = queue(stack);
  const route = router.addRoute('Prices', { pattern: pricePattern, targets: [RouteTarget.queue(target)] });
  return { stack, router, route, target };
}

describe('EventRouter defaults', () => {
  test('a custom bus, a rule on it, and a queue target with a DLQ and the retry policy stated', () => {
    const { stack } = routerWithQueueRoute();
    const t = templateOf(stack);
    t.resourceCountIs('AWS::Events::EventBus', 1);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('RouterBus') },
      EventPattern: { 'source': ['prices'], 'detail-type': ['PriceRecorded'] },
      State: 'ENABLED',
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Target'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterPricesDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      })],
    });
  });

  test('the route DLQ: SQS-managed encryption (EventBridge can write to it), TLS only, 14 days, EventBridge allowed by the rule ARN', () => {
    const t = templateOf(routerWithQueueRoute().stack);
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    t.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'sqs:SendMessage',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterPricesRule'), 'Arn'] } } },
        })]),
      },
      Queues: [{ Ref: Match.stringLikeRegexp('RouterPricesDeadLetterQueue') }],
    });
  });

  test('an archive of every event of this account, 90 days, WITHOUT the empty KmsKeyIdentifier AWS rejects', () => {
    const t = templateOf(routerWithQueueRoute().stack);
    t.hasResourceProperties('AWS::Events::Archive', {
      RetentionDays: 90,
      EventPattern: { account: ['111111111111'] },
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterBus'), 'Arn'] },
      KmsKeyIdentifier: Match.absent(),
    });
  });

  test('TRIPWIRE: aws-cdk-lib still writes KmsKeyIdentifier "" for an Archive without a key (remove our override when this fails)', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus');
    new events.Archive(stack, 'Archive', { sourceEventBus: bus, eventPattern: { account: ['111111111111'] } });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: '' });
  });

  test('alarms on the rule\'s AWS/Events metrics with EventBusName and RuleName dimensions, and DLQ not empty', () => {
    const t = templateOf(routerWithQueueRoute().stack);
    for (const metric of ['FailedInvocations', 'InvocationsSentToDlq', 'InvocationsFailedToBeSentToDlq', 'ThrottledRules']) {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Events',
        MetricName: metric,
        Statistic: 'Sum',
        Period: 60,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Dimensions: Match.arrayWith([
          { Name: 'EventBusName', Value: { Ref: Match.stringLikeRegexp('RouterBus') } },
          { Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('RouterPricesRule') } },
        ]),
      });
    }
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterPricesDeadLetterQueue'), 'QueueName'] } }],
    });
    t.resourceCountIs('AWS::CloudWatch::Alarm', 5);
    t.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  test('IMonitoredBlock: alarms and dashboard widgets of every route', () => {
    const { router } = routerWithQueueRoute();
    expect(router.alarms).toHaveLength(5);
    expect(router.dashboardWidgets()).toHaveLength(3);
  });
});

describe('EventRouter options', () => {
  test('customer-managed key: bus and archive encrypted with it, EventBridge allowed in the key policy', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    const router = new EventRouter(stack, 'Router', { encryptionKey: key, eventBusName: 'prices-prod' });
    router.addRoute('All', { pattern: pricePattern, targets: [RouteTarget.queue(queue(stack))] });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Events::EventBus', { Name: 'prices-prod', KmsKeyIdentifier: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] } });
    t.hasResourceProperties('AWS::Events::Archive', { KmsKeyIdentifier: { 'Fn::GetAtt': ['Key961B73FD', 'Arn'] } });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Action: Match.arrayWith(['kms:GenerateDataKey']) })]) },
    });
  });

  test('archive settings: name, retention, pattern; or no archive', () => {
    const stack = newStack();
    new EventRouter(stack, 'A', { archive: { archiveName: 'prices-archive', retention: Duration.days(7), pattern: { source: ['prices'] } } });
    new EventRouter(stack, 'B', { archive: { enabled: false } });
    const t = templateOf(stack);
    t.resourceCountIs('AWS::Events::Archive', 1);
    t.hasResourceProperties('AWS::Events::Archive', { ArchiveName: 'prices-archive', RetentionDays: 7, EventPattern: { source: ['prices'] } });
  });

  test('existing default bus: rules on it, metrics with RuleName only', () => {
    const stack = newStack();
    const router = new EventRouter(stack, 'Router', {
      existingEventBus: events.EventBus.fromEventBusName(stack, 'Default', 'default'),
      archive: { enabled: false },
    });
    router.addRoute('S3Uploads', { pattern: { source: ['aws.s3'], detailType: ['Object Created'] }, targets: [RouteTarget.queue(queue(stack))] });
    const t = templateOf(stack);
    t.resourceCountIs('AWS::Events::EventBus', 0);
    t.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'default' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FailedInvocations', Dimensions: [{ Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('RouterS3UploadsRule') } }],
    });
  });

  test('publishers: named accounts and an Organization may PutEvents on this bus only, with a source condition', () => {
    const stack = newStack();
    new EventRouter(stack, 'Router', {
      publisherAccounts: ['222222222222'], publisherOrganizationId: 'o-abcdef1234', publisherSources: ['partner.orders'],
    });
    const t = templateOf(stack);
    const busArn = { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterBus'), 'Arn'] };
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Sid: 'PublisherAccounts',
        Effect: 'Allow',
        Action: 'events:PutEvents',
        Resource: busArn,
        Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::222222222222:root']] } },
        Condition: { StringEquals: { 'events:source': ['partner.orders'] } },
      },
    });
    t.hasResourceProperties('AWS::Events::EventBusPolicy', {
      Statement: {
        Sid: 'PublisherOrganization',
        Action: 'events:PutEvents',
        Resource: busArn,
        Principal: { AWS: '*' },
        Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abcdef1234', 'events:source': ['partner.orders'] } },
      },
    });
    // The archive keeps the publishers' events too.
    t.hasResourceProperties('AWS::Events::Archive', { EventPattern: { account: ['111111111111', '222222222222'] } });
  });

  test('grantPutEvents and grantStartReplay: this bus and archive only', () => {
    const { stack, router } = routerWithQueueRoute();
    const role = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    router.grantPutEvents(role);
    router.grantStartReplay(role);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          { Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('RouterBus'), 'Arn'] } },
          Match.objectLike({
            Action: ['events:StartReplay', 'events:DescribeReplay', 'events:CancelReplay', 'events:ListReplays'],
            Resource: Match.arrayWith([{ 'Fn::GetAtt': [Match.stringLikeRegexp('RouterArchive'), 'Arn'] }]),
          }),
        ],
      },
    });
  });

  test('targets: Lambda consumer with the library defaults, SNS, state machine, FIFO queue with group id, input transformer', () => {
    const stack = newStack();
    const router = new EventRouter(stack, 'Router');
    const topic = new sns.Topic(stack, 'Alerts', { enforceSSL: true, masterKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) });
    const machine = sfn.StateMachine.fromStateMachineArn(stack, 'Machine', 'arn:aws:states:us-east-1:111111111111:stateMachine:price-workflow');
    const fifo = queue(stack, 'Fifo', { fifo: true });
    router.addRoute('Everything', {
      pattern: pricePattern,
      targets: [
        RouteTarget.lambda({ code, handler: 'index.handler' }, { retryAttempts: 3, maxEventAge: Duration.minutes(5) }),
        RouteTarget.topic(topic, { input: events.RuleTargetInput.fromText(`Price of ${events.EventField.fromPath('$.detail.symbol')}`) }),
        RouteTarget.stateMachine(machine),
        RouteTarget.queue(fifo, { messageGroupId: events.EventField.fromPath('$.detail.symbol') }),
      ],
    });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', MemorySize: 256, Timeout: 30, Architectures: ['arm64'], LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }) });
    t.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com' });
    const [rule] = Object.values(t.findResources('AWS::Events::Rule')) as Array<{ Properties: { Targets: Array<Record<string, any>> } }>;
    const targets = rule.Properties.Targets;
    expect(targets).toHaveLength(4);
    expect(targets.every(x => x.DeadLetterConfig && x.RetryPolicy)).toBe(true);
    expect(targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 });
    expect(targets[1].InputTransformer).toEqual({
      InputPathsMap: { 'detail-symbol': '$.detail.symbol' }, InputTemplate: '"Price of <detail-symbol>"',
    });
    expect(targets[2].RoleArn).toBeDefined();
    expect(targets[3].SqsParameters).toEqual({ MessageGroupId: '$.detail.symbol' });
  });

  test('another bus in another account, once the receiver\'s grant is stated; DLQ but no retry policy', () => {
    const stack = newStack();
    const router = new EventRouter(stack, 'Router');
    const central = events.EventBus.fromEventBusArn(stack, 'Central', 'arn:aws:events:us-east-1:333333333333:event-bus/central');
    router.addRoute('ToCentral', { pattern: pricePattern, targets: [RouteTarget.eventBus(central, { receiverAllowsPutEvents: true })] });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        Arn: 'arn:aws:events:us-east-1:333333333333:event-bus/central',
        DeadLetterConfig: Match.anyValue(),
        RoleArn: Match.anyValue(),
        RetryPolicy: Match.absent(),
      })],
    });
  });

  test('HTTPS API destination: connection with its secret, rate limit, retry and DLQ', () => {
    const stack = newStack();
    const router = new EventRouter(stack, 'Router');
    router.addRoute('Partner', {
      pattern: pricePattern,
      targets: [RouteTarget.apiDestination({
        endpoint: 'https://partner.example.com/prices/*',
        apiKeyName: 'X-Api-Key',
        apiKeyValue: SecretValue.unsafePlainText('k'),
        rateLimitPerSecond: 5,
        pathParameterValues: ['$.detail.symbol'],
      })],
    });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::Events::Connection', { AuthorizationType: 'API_KEY' });
    t.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://partner.example.com/prices/*', HttpMethod: 'POST', InvocationRateLimitPerSecond: 5,
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ HttpParameters: { PathParameterValues: ['$.detail.symbol'] }, RetryPolicy: Match.anyValue(), DeadLetterConfig: Match.anyValue() })],
    });
  });
});

describe('EventRouter bad input: path, prop as written, value, allowed range, fix, code', () => {
  const key = () => SecretValue.unsafePlainText('v');
  const route = (s: Stack, targets: RouteTarget[], pattern: events.EventPattern = pricePattern) =>
    new EventRouter(s, 'Router').addRoute('R', { pattern, targets });
  const cases: BadInputCase[] = [
    {
      build: s => route(s, Array.from({ length: 6 }, (_, i) => RouteTarget.queue(queue(s, `Q${i}`)))),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_TARGETS_PER_ROUTE',
      prop: 'routes[0].targets',
      value: '6 targets',
      allowed: '1 to 5 targets per route',
      fix: 'split routes[0] into two routes',
    },
    { build: s => route(s, []), path: 'TestStack/Router', code: 'EVENT_ROUTER_TARGETS_PER_ROUTE', prop: 'routes[0].targets', value: '0 targets', allowed: '1 to 5', fix: 'split' },
    {
      build: s => route(s, [RouteTarget.queue(queue(s))], { detail: { symbol: 'AMZN' as never } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PATTERN_INVALID',
      prop: 'routes[0].pattern',
      value: '$.detail.symbol is "AMZN"',
      allowed: 'an EventBridge event pattern',
      fix: 'events.Match helpers',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s))], { detail: { n: [{ 'greater-than': 5 }] as never } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PATTERN_INVALID',
      prop: 'routes[0].pattern',
      value: '{"greater-than":5} is not a matcher',
      allowed: 'event pattern',
      fix: 'events.Match',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s))], { detail: { sku: Array.from({ length: 300 }, (_, i) => `sku-${i}`) } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PATTERN_SIZE',
      prop: 'routes[0].pattern',
      value: '2,910 characters',
      allowed: 'at most 2,048 characters',
      fix: 'shorten routes[0].pattern',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { maxEventAge: Duration.seconds(30) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_MAX_EVENT_AGE',
      prop: 'routes[0].targets[0].maxEventAge',
      value: '30 seconds',
      allowed: '1 minute (60 s) to 1 day (86,400 s)',
      fix: 'set routes[0].targets[0].maxEventAge between',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { maxEventAge: Duration.hours(25) })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_MAX_EVENT_AGE',
      prop: 'routes[0].targets[0].maxEventAge',
      value: '1 day 1 hour (90,000 s)',
      allowed: '1 minute (60 s) to 1 day',
      fix: 'between',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { retryAttempts: 186 })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_RETRY_ATTEMPTS',
      prop: 'routes[0].targets[0].retryAttempts',
      value: '186',
      allowed: 'a whole number from 0 to 185',
      fix: 'set routes[0].targets[0].retryAttempts',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { retryAttempts: -1 })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_RETRY_ATTEMPTS',
      prop: 'routes[0].targets[0].retryAttempts',
      value: '-1',
      allowed: 'from 0 to 185',
      fix: 'retryAttempts',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { retryAttempts: NaN })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_RETRY_ATTEMPTS',
      prop: 'routes[0].targets[0].retryAttempts',
      value: 'NaN',
      allowed: 'from 0 to 185',
      fix: 'retryAttempts',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { archiveName: 'my archive' } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ARCHIVE_NAME',
      prop: 'archive.archiveName',
      value: '"my archive"',
      allowed: 'EventBridge archive name of 1 to 48 characters',
      fix: 'rename it',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { archiveName: 'a'.repeat(49) } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ARCHIVE_NAME',
      prop: 'archive.archiveName',
      value: '49 characters',
      allowed: '1 to 48 characters',
      fix: 'rename',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { retention: Duration.hours(36) } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ARCHIVE_RETENTION',
      prop: 'archive.retention',
      value: '1 day 12 hours',
      allowed: 'whole days, at least 1',
      fix: 'Duration.days(n)',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { retention: Duration.days(0) } }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ARCHIVE_RETENTION',
      prop: 'archive.retention',
      value: '0',
      allowed: 'at least 1',
      fix: 'n >= 1',
    },
    {
      build: s => new EventRouter(s, 'Router', { eventBusName: 'default' }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_BUS_NAME_RESERVED',
      prop: 'eventBusName',
      value: '"default"',
      allowed: 'other than "default"',
      fix: 'existingEventBus',
    },
    {
      build: s => new EventRouter(s, 'Router', { eventBusName: 'a/b' }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_BUS_NAME',
      prop: 'eventBusName',
      value: '"a/b" (characters outside the allowed set)',
      allowed: 'EventBridge event bus name',
      fix: 'rename',
    },
    {
      build: s => new EventRouter(s, 'Router', { eventBusName: 'aws.orders' }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_BUS_NAME_RESERVED',
      prop: 'eventBusName',
      value: '"aws.orders"',
      allowed: 'not starting with "aws."',
      fix: 'rename eventBusName',
    },
    {
      build: s => new EventRouter(s, 'Router', { eventBusName: 'b'.repeat(257) }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_BUS_NAME',
      prop: 'eventBusName',
      value: '257 characters',
      allowed: '1 to 256 characters',
      fix: 'rename',
    },
    {
      build: s => new EventRouter(s, 'Router', { existingEventBus: events.EventBus.fromEventBusName(s, 'Default', 'default'), encryptionKey: new kms.Key(s, 'K') }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_SETTING_WITH_EXISTING_BUS',
      prop: 'encryptionKey',
      value: 'construct TestStack/K',
      allowed: 'when existingEventBus is given',
      fix: 'remove encryptionKey',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s, 'F', { fifo: true }))]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_FIFO_GROUP_ID',
      prop: 'routes[0].targets[0].messageGroupId',
      value: 'undefined (the queue is FIFO)',
      allowed: 'a message group id for a FIFO queue',
      fix: 'set routes[0].targets[0].messageGroupId',
    },
    {
      build: s => route(s, [RouteTarget.queue(queue(s), { messageGroupId: 'g' })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_GROUP_ID_ON_STANDARD',
      prop: 'routes[0].targets[0].messageGroupId',
      value: '"g" (the queue is standard)',
      allowed: 'no message group id',
      fix: 'remove',
    },
    {
      build: s => route(s, [RouteTarget.eventBus(events.EventBus.fromEventBusArn(s, 'C', 'arn:aws:events:us-east-1:333333333333:event-bus/c'))]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_CROSS_ACCOUNT_GRANT',
      prop: 'routes[0].targets[0].receiverAllowsPutEvents',
      value: 'is in account 333333333333, this stack in 111111111111',
      allowed: 'true for a bus in another account',
      fix: 'ask the owner of account 333333333333 to allow events:PutEvents from 111111111111',
    },
    {
      build: s => route(s, [RouteTarget.eventBus(new events.EventBus(s, 'Other'), { retryAttempts: 3 })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_BUS_TARGET_RETRY',
      prop: 'routes[0].targets[0].retryAttempts',
      value: '3',
      allowed: 'no retry policy on an event bus target',
      fix: 'remove',
    },
    {
      build: s => route(s, [RouteTarget.apiDestination({ endpoint: 'http://x.example.com', apiKeyName: 'k', apiKeyValue: key() })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_ENDPOINT',
      prop: 'routes[0].targets[0].endpoint',
      value: '"http://x.example.com"',
      allowed: 'an https:// URL',
      fix: 'https://',
    },
    {
      build: s => route(s, [RouteTarget.apiDestination({ endpoint: 'https://x.example.com' })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_CONNECTION',
      prop: 'routes[0].targets[0].connection',
      value: 'undefined',
      allowed: 'a connection, or apiKeyName and apiKeyValue',
      fix: 'give routes[0].targets[0].connection',
    },
    {
      build: s => route(s, [RouteTarget.apiDestination({ endpoint: 'https://x.example.com', apiKeyName: 'k', apiKeyValue: key(), rateLimitPerSecond: 301 })]),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_API_RATE_LIMIT',
      prop: 'routes[0].targets[0].rateLimitPerSecond',
      value: '301 invocations per second',
      allowed: 'from 1 to 300',
      fix: 'rateLimitPerSecond',
    },
    {
      build: s => route(s, [RouteTarget.lambda({})]),
      path: 'TestStack/Router/R',
      prop: 'routes[0].targets[0].consumer',
      value: 'code missing, handler missing',
      allowed: 'code and handler together',
      fix: 'give routes[0].targets[0].consumer.code',
    },
    {
      build: s => new EventRouter(s, 'Router', {
        routes: [
          { name: 'R', pattern: pricePattern, targets: [RouteTarget.queue(queue(s, 'A'))] },
          { name: 'R', pattern: pricePattern, targets: [RouteTarget.queue(queue(s, 'B'))] },
        ],
      }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ROUTE_NAME_TAKEN',
      prop: 'routes[1].name',
      value: '"R" (already used',
      allowed: 'a name no other route',
      fix: 'its own name',
    },
    {
      build: s => new EventRouter(s, 'Router').addRoute('has space', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s))] }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ROUTE_NAME',
      prop: 'routes[0].name',
      value: '"has space"',
      allowed: '1 to 64 letters',
      fix: 'name the route',
    },
    {
      build: s => new EventRouter(s, 'Router', { eventPatternSizeQuota: 5000 }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PATTERN_SIZE_QUOTA',
      prop: 'eventPatternSizeQuota',
      value: '5000 characters',
      allowed: 'from 1 to 4,096 characters',
      fix: 'eventPatternSizeQuota',
    },
    {
      build: s => new EventRouter(s, 'Router', { publisherAccounts: ['12345678901'] }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PUBLISHER_ACCOUNT',
      prop: 'publisherAccounts[0]',
      value: '"12345678901"',
      allowed: 'a 12-digit AWS account id',
      fix: 'correct publisherAccounts[0]',
    },
    {
      build: s => new EventRouter(s, 'Router', { publisherAccounts: [] }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_PUBLISHER_ACCOUNTS_EMPTY',
      prop: 'publisherAccounts',
      value: 'an empty list',
      allowed: 'at least one element',
      fix: 'name at least one account',
    },
    {
      build: s => new EventRouter(s, 'Router', { publisherOrganizationId: 'org-1' }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_ORGANIZATION_ID',
      prop: 'publisherOrganizationId',
      value: '"org-1"',
      allowed: 'an AWS Organizations id',
      fix: 'copy the id',
    },
    {
      build: s => new EventRouter(s, 'Router', { publisherSources: ['x'] }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_SOURCES_WITHOUT_PUBLISHERS',
      prop: 'publisherSources',
      value: '["x"]',
      allowed: 'only together with publisherAccounts',
      fix: 'add publisherAccounts',
    },
    {
      build: s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s))], deadLetterRetention: Duration.days(15) }),
      path: 'TestStack/Router',
      code: 'EVENT_ROUTER_DLQ_RETENTION',
      prop: 'routes[0].deadLetterRetention',
      value: '15 days',
      allowed: '1 minute (60 s) to 14 days',
      fix: 'deadLetterRetention',
    },
    {
      build: s => new EventRouter(s, 'Router', { archive: { enabled: false } }).grantStartReplay(new iam.Role(s, 'R', { assumedBy: new iam.AccountRootPrincipal() })),
      path: 'TestStack/Router',
      prop: 'archive.enabled',
      value: 'false',
      allowed: 'an archive to replay from',
      fix: 'enable the archive',
    },
  ];
  test.each(cases.map(c => [`${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('all violations of one route in one error', () => {
    const message = errorMessageOf(() => {
      const s = newStack();
      new EventRouter(s, 'Router').addRoute('R', {
        pattern: pricePattern,
        targets: [RouteTarget.queue(queue(s), { retryAttempts: 200, maxEventAge: Duration.seconds(1) }), RouteTarget.queue(queue(s, 'F', { fifo: true }))],
      });
    });
    expectFragmentsInOrder(message, ['[TestStack/Router] 3 invalid settings:', 'routes[0].targets[0].maxEventAge', 'routes[0].targets[0].retryAttempts', 'routes[0].targets[1].messageGroupId']);
  });

  test.each([
    ['retryAttempts', (s: Stack, n: number) => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { retryAttempts: n })] })],
    ['maxEventAge', (s: Stack, n: number) => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { maxEventAge: Duration.seconds(n) })] })],
    ['rateLimitPerSecond', (s: Stack, n: number) => new EventRouter(s, 'Router').addRoute('R', {
      pattern: pricePattern, targets: [RouteTarget.apiDestination({ endpoint: 'https://x.example.com', apiKeyName: 'k', apiKeyValue: key(), rateLimitPerSecond: n })],
    })],
    ['eventPatternSizeQuota', (s: Stack, n: number) => new EventRouter(s, 'Router', { eventPatternSizeQuota: n }).addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s))] })],
    ['archive.retention', (s: Stack, n: number) => new EventRouter(s, 'Router', { archive: { retention: Duration.days(n) } })],
    ['deadLetterRetention', (s: Stack, n: number) => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s))], deadLetterRetention: Duration.seconds(n) })],
  ])('%s accepts a CfnParameter token', (_name, build) => {
    expect(() => expectNumberTokenAccepted(build)).not.toThrow();
  });
});
