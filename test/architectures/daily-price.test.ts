import { CfnElement } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { IConstruct } from 'constructs';
import { DailyPriceStack, DailyPriceStackProps, PRICE_EVENT_SOURCE } from '../../src';
import { buildArchitecture, expectBadInput, nagFindings } from '../support';
import { eventOf, runEventRuler } from '../support/event-ruler';

const build = (props: Partial<DailyPriceStackProps> = {}) =>
  buildArchitecture(DailyPriceStack, 'DailyPrice', { quoteEndpoint: 'https://quotes.example.com/v1/quote', ...props });

const price = (detail: Record<string, unknown>, detailType = 'PriceRecorded', source = PRICE_EVENT_SOURCE) => eventOf(source, detailType, detail);

describe('DailyPriceStack', () => {
  const { stack, template } = build();
  const logicalId = (c: IConstruct) => stack.getLogicalId(c.node.defaultChild as CfnElement);

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('the schedule runs the fetcher at 21:00 on weekdays, New York time, with retries and a DLQ', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 21 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'America/New_York',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [logicalId(stack.fetcher), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: Match.anyValue(),
      }),
    });
  });

  test('one queue takes every failed run: the schedule\'s DLQ and the fetcher\'s asynchronous-invocation DLQ', () => {
    const failed = Object.keys(template.findResources('AWS::SQS::Queue')).find(id => id.startsWith('FailedRuns'))!;
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Fetches closing prices and publishes PriceRecorded events',
      DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [failed, 'Arn'] } },
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { Target: Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [failed, 'Arn'] } } }) });
  });

  test('the fetcher knows the endpoint, symbols and bus, and may PutEvents on that bus only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          QUOTE_ENDPOINT: 'https://quotes.example.com/v1/quote',
          SYMBOLS: 'AMZN',
          EVENT_SOURCE: PRICE_EVENT_SOURCE,
          EVENT_BUS_NAME: { Ref: logicalId(stack.router.eventBus) },
        }),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: 'events:PutEvents', Effect: 'Allow', Resource: { 'Fn::GetAtt': [logicalId(stack.router.eventBus), 'Arn'] } }]) },
    });
  });

  test('routes: every price to the history buffer (detail only), big moves to the alert topic (a text), all archived', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': [PRICE_EVENT_SOURCE], 'detail-type': ['PriceRecorded'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack.history.queue), 'Arn'] }, InputPath: '$.detail', RetryPolicy: Match.anyValue(), DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { changePercent: [{ numeric: ['>=', 5] }, { numeric: ['<=', -5] }] } }),
      Targets: [Match.objectLike({ Arn: { Ref: logicalId(stack.alertTopic.topic) }, InputTransformer: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90, KmsKeyIdentifier: Match.absent() });
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', { KeySchema: [{ AttributeName: 'priceId', KeyType: 'HASH' }] });
  });

  test('golden: every pattern of the stack through event-ruler', () => {
    const patterns = Object.entries({ ...template.findResources('AWS::Events::Rule'), ...template.findResources('AWS::Events::Archive') })
      .map(([id, r]) => [id, (r as { Properties: { EventPattern: unknown } }).Properties.EventPattern] as const);
    expect(patterns).toHaveLength(3);
    const golden: Record<string, { match: unknown[]; noMatch: unknown[] }> = {
      History: {
        match: [price({ priceId: 'AMZN#2026-12-01', changePercent: 0.3 }), price({ changePercent: -12 })],
        noMatch: [price({}, 'PriceCorrected'), price({}, 'PriceRecorded', 'someone.else')],
      },
      Alerts: {
        match: [price({ changePercent: 5 }), price({ changePercent: -5 }), price({ changePercent: 31.4 })],
        noMatch: [price({ changePercent: 4.9999 }), price({ changePercent: -4.2 }), price({ changePercent: 0 }), price({ changePercent: 9 }, 'PriceCorrected')],
      },
      Archive: {
        match: [price({ changePercent: 1 }), eventOf('anything', 'Whatever', {})],
        noMatch: [{ ...price({}), account: '999999999999' }],
      },
    };
    const keyOf = (id: string) => Object.keys(golden).find(k => id.includes(k))!;
    const results = runEventRuler(patterns.map(([id, pattern]) => ({ pattern, events: [...golden[keyOf(id)].match, ...golden[keyOf(id)].noMatch] })));
    patterns.forEach(([id], i) => {
      const g = golden[keyOf(id)];
      expect([id, results[i]]).toEqual([id, { valid: true, matches: [...g.match.map(() => true), ...g.noMatch.map(() => false)] }]);
    });
  });

  test('alarms carry dimensions; one dashboard per pattern', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'EventBusName', Value: Match.anyValue() }, { Name: 'RuleName', Value: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Scheduler', Dimensions: [{ Name: 'ScheduleGroup', Value: Match.anyValue() }] });
  });

  test('threshold and symbols are props', () => {
    const { template: t } = build({ alertThresholdPercent: 2.5, symbols: ['AMZN', 'MSFT'] });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { changePercent: [{ numeric: ['>=', 2.5] }, { numeric: ['<=', -2.5] }] } }) });
    t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ SYMBOLS: 'AMZN,MSFT' }) } });
  });

  test('bad threshold', () => {
    expectBadInput({
      build: s => new DailyPriceStack(s, 'Bad', { quoteEndpoint: 'https://q.example.com', alertThresholdPercent: 0 }),
      path: 'TestStack/Bad',
      code: 'DAILY_PRICE_THRESHOLD',
      prop: 'alertThresholdPercent',
      value: '0',
      allowed: 'more than 0',
      fix: 'alertThresholdPercent',
    });
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});
