import { CfnParameter, Duration, SecretValue, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { EventRouter, RouteTarget, SecureQueue, SecureQueueProps } from '../../src';
import { errorMessageOf, expectFragmentsInOrder, newStack, templateOf } from '../support';

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

  test('numbers given as CfnParameter tokens synthesize (never checked)', () => {
    const stack = newStack();
    const retries = new CfnParameter(stack, 'Retries', { type: 'Number' }).valueAsNumber;
    const rate = new CfnParameter(stack, 'Rate', { type: 'Number' }).valueAsNumber;
    const quota = new CfnParameter(stack, 'Quota', { type: 'Number' }).valueAsNumber;
    const age = new CfnParameter(stack, 'Age', { type: 'Number' }).valueAsNumber;
    const router = new EventRouter(stack, 'Router', { eventPatternSizeQuota: quota, archive: { retention: Duration.days(age) } });
    router.addRoute('R', {
      pattern: pricePattern,
      targets: [
        RouteTarget.queue(queue(stack), { retryAttempts: retries, maxEventAge: Duration.seconds(age) }),
        RouteTarget.apiDestination({ endpoint: 'https://x.example.com', apiKeyName: 'k', apiKeyValue: SecretValue.unsafePlainText('v'), rateLimitPerSecond: rate }),
      ],
    });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('EventRouter bad input: path, prop as written, value, allowed range, fix', () => {
  const cases: Array<[string, (stack: Stack) => void, string[]]> = [
    ['six targets on a route', s => {
      const r = new EventRouter(s, 'Router');
      r.addRoute('Fan', { pattern: pricePattern, targets: Array.from({ length: 6 }, (_, i) => RouteTarget.queue(queue(s, `Q${i}`))) });
    }, ['[TestStack/Router]', 'invalid routes.Fan.targets: 6 targets', 'Allowed: 1 to 5 targets per route', 'Fix: split routes.Fan']],
    ['no target', s => new EventRouter(s, 'Router').addRoute('None', { pattern: pricePattern, targets: [] }),
      ['[TestStack/Router]', 'invalid routes.None.targets: 0 targets', 'Allowed: 1 to 5']],
    ['a field value not in an array', s => new EventRouter(s, 'Router').addRoute('Bad', { pattern: { detail: { symbol: 'AMZN' as never } }, targets: [RouteTarget.queue(queue(s))] }),
      ['[TestStack/Router]', 'invalid routes.Bad.pattern: $.detail.symbol is "AMZN"', 'Allowed: an EventBridge event pattern', 'Fix: write routes.Bad.pattern with events.Match']],
    ['an unknown matcher', s => new EventRouter(s, 'Router').addRoute('Bad', { pattern: { detail: { n: [{ 'greater-than': 5 }] as never } }, targets: [RouteTarget.queue(queue(s))] }),
      ['invalid routes.Bad.pattern: $.detail.n[0] {"greater-than":5} is not a matcher']],
    ['a pattern over the size quota', s => new EventRouter(s, 'Router').addRoute('Big', {
      pattern: { detail: { sku: Array.from({ length: 300 }, (_, i) => `sku-${i}`) } }, targets: [RouteTarget.queue(queue(s))],
    }), ['invalid routes.Big.pattern: 2,910 characters', 'Allowed: at most 2,048 characters', 'Fix: shorten routes.Big.pattern']],
    ['maxEventAge under 60 s', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { maxEventAge: Duration.seconds(30) })] }),
      ['[TestStack/Router/R]', 'invalid routes.R.targets[0].maxEventAge: 30 seconds', 'Allowed: 1 minute (60 s) to 1 day (86,400 s)', 'Fix: set routes.R.targets[0].maxEventAge between']],
    ['maxEventAge over 24 h', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { maxEventAge: Duration.hours(25) })] }),
      ['invalid routes.R.targets[0].maxEventAge: 1 day 1 hour (90,000 s)']],
    ['retries over 185', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { retryAttempts: 186 })] }),
      ['[TestStack/Router/R]', 'invalid routes.R.targets[0].retryAttempts: 186', 'Allowed: a whole number from 0 to 185']],
    ['negative retries', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { retryAttempts: -1 })] }),
      ['invalid routes.R.targets[0].retryAttempts: -1']],
    ['NaN retries', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { retryAttempts: NaN })] }),
      ['invalid routes.R.targets[0].retryAttempts: NaN', 'Allowed: a whole number from 0 to 185']],
    ['archive name with a space', s => new EventRouter(s, 'Router', { archive: { archiveName: 'my archive' } }),
      ['[TestStack/Router]', 'invalid archive.archiveName: "my archive"', 'Allowed: 1 to 48 characters']],
    ['archive name too long', s => new EventRouter(s, 'Router', { archive: { archiveName: 'a'.repeat(49) } }), ['invalid archive.archiveName']],
    ['archive retention in hours', s => new EventRouter(s, 'Router', { archive: { retention: Duration.hours(36) } }),
      ['invalid archive.retention: 1 day 12 hours', 'Allowed: whole days, at least 1']],
    ['archive retention 0', s => new EventRouter(s, 'Router', { archive: { retention: Duration.days(0) } }), ['invalid archive.retention']],
    ['bus named default', s => new EventRouter(s, 'Router', { eventBusName: 'default' }),
      ['invalid eventBusName: "default"', 'give existingEventBus for the default bus', 'Fix: rename eventBusName']],
    ['bus name with a slash', s => new EventRouter(s, 'Router', { eventBusName: 'a/b' }), ['invalid eventBusName: "a/b"']],
    ['bus name with the aws. prefix', s => new EventRouter(s, 'Router', { eventBusName: 'aws.orders' }), ['invalid eventBusName: "aws.orders"']],
    ['bus name over 256 characters', s => new EventRouter(s, 'Router', { eventBusName: 'b'.repeat(257) }), ['invalid eventBusName']],
    ['a KMS key on an existing (e.g. default) bus', s => new EventRouter(s, 'Router', {
      existingEventBus: events.EventBus.fromEventBusName(s, 'Default', 'default'), encryptionKey: new kms.Key(s, 'K'),
    }), ['[TestStack/Router]', 'invalid encryptionKey: construct TestStack/K', 'when existingEventBus is given', 'Fix: remove encryptionKey']],
    ['a FIFO queue without a message group id', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s, 'F', { fifo: true }))] }),
      ['[TestStack/Router/R]', 'invalid routes.R.targets[0].messageGroupId: undefined (the queue is FIFO)', 'Fix: set routes.R.targets[0].messageGroupId']],
    ['a message group id on a standard queue', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s), { messageGroupId: 'g' })] }),
      ['invalid routes.R.targets[0].messageGroupId: "g" (the queue is standard)']],
    ['a cross-account bus target without the receiver\'s grant stated', s => new EventRouter(s, 'Router').addRoute('R', {
      pattern: pricePattern, targets: [RouteTarget.eventBus(events.EventBus.fromEventBusArn(s, 'C', 'arn:aws:events:us-east-1:333333333333:event-bus/c'))],
    }), ['[TestStack/Router/R]', 'invalid routes.R.targets[0].receiverAllowsPutEvents: undefined (the bus', 'is in account 333333333333, this stack in 111111111111)',
      'Fix: ask the owner of account 333333333333 to allow events:PutEvents from 111111111111']],
    ['a retry policy on a bus target', s => new EventRouter(s, 'Router').addRoute('R', {
      pattern: pricePattern, targets: [RouteTarget.eventBus(new events.EventBus(s, 'Other'), { retryAttempts: 3 })],
    }), ['invalid routes.R.targets[0].retryAttempts: 3', 'no retry policy on an event bus target']],
    ['an http:// API destination', s => new EventRouter(s, 'Router').addRoute('R', {
      pattern: pricePattern, targets: [RouteTarget.apiDestination({ endpoint: 'http://x.example.com', apiKeyName: 'k', apiKeyValue: SecretValue.unsafePlainText('v') })],
    }), ['invalid routes.R.targets[0].endpoint: "http://x.example.com"', 'Allowed: an https:// URL']],
    ['an API destination without a connection or key', s => new EventRouter(s, 'Router').addRoute('R', {
      pattern: pricePattern, targets: [RouteTarget.apiDestination({ endpoint: 'https://x.example.com' })],
    }), ['invalid routes.R.targets[0].connection: undefined', 'Fix: give routes.R.targets[0].connection']],
    ['an API rate limit over 300', s => new EventRouter(s, 'Router').addRoute('R', {
      pattern: pricePattern, targets: [RouteTarget.apiDestination({ endpoint: 'https://x.example.com', apiKeyName: 'k', apiKeyValue: SecretValue.unsafePlainText('v'), rateLimitPerSecond: 301 })],
    }), ['invalid routes.R.targets[0].rateLimitPerSecond: 301 invocations per second', 'Allowed: a whole number from 1 to 300']],
    ['a Lambda target with neither code nor function', s => new EventRouter(s, 'Router').addRoute('R', { pattern: pricePattern, targets: [RouteTarget.lambda({})] }),
      ['invalid routes.R.targets[0].consumer: code missing, handler missing']],
    ['two routes with one name', s => {
      const r = new EventRouter(s, 'Router');
      r.addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s, 'A'))] });
      r.addRoute('R', { pattern: pricePattern, targets: [RouteTarget.queue(queue(s, 'B'))] });
    }, ['invalid addRoute(name): "R" (already used)']],
    ['a pattern size quota over 4,096', s => new EventRouter(s, 'Router', { eventPatternSizeQuota: 5000 }),
      ['invalid eventPatternSizeQuota: 5000 characters', 'Allowed: a whole number from 1 to 4,096 characters']],
    ['a publisher account of 11 digits', s => new EventRouter(s, 'Router', { publisherAccounts: ['12345678901'] }),
      ['invalid publisherAccounts[0]: "12345678901"', 'Allowed: a 12-digit AWS account id']],
    ['a malformed organization id', s => new EventRouter(s, 'Router', { publisherOrganizationId: 'org-1' }),
      ['invalid publisherOrganizationId: "org-1"']],
    ['replay without an archive', s => new EventRouter(s, 'Router', { archive: { enabled: false } })
      .grantStartReplay(new iam.Role(s, 'R', { assumedBy: new iam.AccountRootPrincipal() })), ['invalid archive.enabled: false']],
  ];
  test.each(cases)('%s', (_name, build, fragments) => {
    const message = errorMessageOf(() => build(newStack()));
    expectFragmentsInOrder(message, fragments);
  });
});
