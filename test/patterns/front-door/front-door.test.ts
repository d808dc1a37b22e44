import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { backends } from './fixtures';
import { FrontDoor, FrontDoorApiKind, FrontDoorAuthorization, FrontDoorRoute, FrontDoorValue, StreamRouteOptions } from '../../../src';
import { BadInputCase, expectBadInput, expectNumberTokenAccepted, newStack, templateOf } from '../../support';

const arnOf = (c: { node: { defaultChild?: unknown } } | any) => ({ 'Fn::GetAtt': [Stack.of(c).getLogicalId((c.node.defaultChild ?? c) as any), 'Arn'] });

describe('FrontDoor REST (default): one route per backend', () => {
  const stack = newStack();
  const b = backends(stack);
  const door = new FrontDoor(stack, 'Door', {
    routes: [
      FrontDoorRoute.toQueue({ path: 'orders', queue: b.queue }),
      FrontDoorRoute.toStream({ path: 'clicks', stream: b.stream, partitionKey: FrontDoorValue.bodyField('sessionId'), throttling: { rateLimit: 10, burstLimit: 20 } }),
      FrontDoorRoute.toEventBus({ path: 'events', eventBus: b.bus, source: 'shop.web', detailType: 'OrderPlaced' }),
      FrontDoorRoute.toWorkflow({ path: 'quotes', stateMachine: b.express, synchronous: true, integrationTimeout: Duration.seconds(10) }),
    ],
  });
  door.addRoute(FrontDoorRoute.toWorkflow({ path: 'jobs', stateMachine: b.standard }));
  const template = templateOf(stack);

  test('a regional REST API, no Lambda anywhere, one AWS integration per route', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.resourceCountIs('AWS::ApiGateway::Method', 5);
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(door.restApi).toBeDefined();
    expect(door.httpApi).toBeUndefined();
  });

  test.each([
    ['orders', ':sqs:path/111111111111/'],
    ['clicks', ':kinesis:action/PutRecord'],
    ['events', ':events:action/PutEvents'],
    ['quotes', ':sync-states.states:action/StartSyncExecution'],
    ['jobs', ':states:action/StartExecution'],
  ])('POST /%s: AWS integration %s, IAM auth, validated body, NEVER passthrough', (path, uri) => {
    const methods = template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST', Integration: { Uri: Match.objectLike({}) } } });
    const method = Object.values(methods).find(m => JSON.stringify(m.Properties.Integration.Uri).includes(uri.split('/')[0]) && JSON.stringify(m.Properties.Integration.Uri).includes(uri.split(':').pop()!));
    expect(method).toBeDefined();
    expect(method!.Properties).toEqual(expect.objectContaining({
      AuthorizationType: 'AWS_IAM',
      ApiKeyRequired: false,
      RequestValidatorId: expect.anything(),
      RequestModels: { 'application/json': expect.anything() },
    }));
    expect(method!.Properties.Integration).toEqual(expect.objectContaining({ Type: 'AWS', PassthroughBehavior: 'NEVER', Credentials: expect.anything() }));
    void path;
  });

  test('least privilege: each route has its own role with ONE action on ONE resource', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(p => /DoorRoute\d/.test(JSON.stringify(p.Properties.Roles)));
    expect(policies).toHaveLength(5);
    const statements = policies.map(p => p.Properties.PolicyDocument.Statement);
    for (const s of statements) {
      expect(s).toHaveLength(1);
      expect(typeof s[0].Action).toBe('string');
      expect(Array.isArray(s[0].Resource)).toBe(false);
    }
    expect(statements.map(s => s[0].Action).sort()).toEqual(['events:PutEvents', 'kinesis:PutRecord', 'sqs:SendMessage', 'states:StartExecution', 'states:StartSyncExecution']);
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })] } });
  });

  test('stage: 100/s burst 200 everywhere, the route\'s own throttling, JSON access logs kept a month, no X-Ray', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: [
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
        { HttpMethod: 'POST', ResourcePath: '/clicks', ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      ],
      AccessLogSetting: Match.objectLike({ DestinationArn: arnOf(door.accessLogGroup), Format: Match.stringLikeRegexp('"status":"\\$context.status"') }),
      TracingEnabled: false,
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('models: the stream route requires its partition key as a printable string; others accept any object', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ type: 'object', required: ['sessionId'], properties: { sessionId: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[!-~]+$' } } }),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
  });

  test('integration timeout and responses: 200 with the backend\'s id, backend 4xx -> 500, 5xx -> 503', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      Integration: Match.objectLike({
        TimeoutInMillis: 10000,
        IntegrationResponses: [
          Match.objectLike({ StatusCode: '200', ResponseTemplates: { 'application/json': Match.stringLikeRegexp('SUCCEEDED') } }),
          Match.objectLike({ StatusCode: '500', SelectionPattern: '4\\d{2}' }),
          Match.objectLike({ StatusCode: '503', SelectionPattern: '5\\d{2}' }),
        ],
      }),
    });
    const bus = Object.values(template.findResources('AWS::ApiGateway::Method')).find(m => JSON.stringify(m.Properties.Integration?.Uri ?? '').includes(':events:'))!;
    expect(JSON.stringify(bus.Properties.Integration.RequestTemplates)).toContain('\\"Source\\":\\"shop.web\\",\\"DetailType\\":\\"OrderPlaced\\"');
  });

  test('alarms with dimensions (ApiName + Stage): 5XX, 4XX rate, latency p99, integration latency p99; one dashboard', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties);
    expect(alarms.map(a => a.MetricName).sort()).toEqual(['4XXError', '5XXError', 'IntegrationLatency', 'Latency']);
    for (const a of alarms) expect(a.Dimensions.map((d: any) => d.Name).sort()).toEqual(['ApiName', 'Stage']);
    expect(alarms.find(a => a.MetricName === 'Latency')).toEqual(expect.objectContaining({ ExtendedStatistic: 'p99', Threshold: 2000 }));
    expect(alarms.find(a => a.MetricName === 'IntegrationLatency')).toEqual(expect.objectContaining({ ExtendedStatistic: 'p99', Threshold: 1000 }));
    expect(alarms.find(a => a.MetricName === '4XXError')).toEqual(expect.objectContaining({ Statistic: 'Average', Threshold: 0.1 }));
    expect(alarms.find(a => a.MetricName === '5XXError')).toEqual(expect.objectContaining({ Statistic: 'Sum', Threshold: 0 }));
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(door.alarms).toHaveLength(4);
    expect(door.dashboardWidgets().length).toBeGreaterThan(0);
  });

  test('grantInvoke: execute-api:Invoke on each route, nothing wider', () => {
    const s = newStack();
    const q = backends(s).queue;
    const d = new FrontDoor(s, 'Door', { routes: ['a', 'b', 'c', 'd', 'orders'].map(path => FrontDoorRoute.toQueue({ path, queue: q })) });
    const caller = new iam.Role(s, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    d.grantInvoke(caller);
    const t = Template.fromStack(s);
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find(p => JSON.stringify(p.Properties.Roles).includes('Caller'))!;
    const statement = policy.Properties.PolicyDocument.Statement[0];
    expect(statement.Action).toBe('execute-api:Invoke');
    expect(statement.Resource).toHaveLength(5);
    expect(JSON.stringify(statement.Resource)).toContain('/POST/orders');
  });
});

describe('FrontDoor REST options', () => {
  test('API key + usage plan: key required, quota, the route\'s throttle in the plan', () => {
    const stack = newStack();
    const b = backends(stack);
    const door = new FrontDoor(stack, 'Door', {
      authorization: FrontDoorAuthorization.API_KEY,
      dailyQuota: 1000,
      throttling: { rateLimit: 50, burstLimit: 80 },
      routes: [FrontDoorRoute.toQueue({ path: 'orders', queue: b.queue, throttling: { rateLimit: 5 } })],
    });
    const t = templateOf(stack);
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'NONE', ApiKeyRequired: true });
    t.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 50, BurstLimit: 80 },
      Quota: { Limit: 1000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Throttle: { '/orders/POST': { RateLimit: 5, BurstLimit: 80 } } })],
    });
    t.resourceCountIs('AWS::ApiGateway::ApiKey', 1);
    t.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
    expect(door.apiKey).toBeDefined();
  });

  test('Cognito authorizer; CORS preflight; regional WAF; FIFO group id from a header (required on the method)', () => {
    const stack = newStack();
    const b = backends(stack);
    const userPool = new cognito.UserPool(stack, 'Users', { passwordPolicy: { minLength: 12 }, advancedSecurityMode: undefined });
    new FrontDoor(stack, 'Door', {
      authorization: FrontDoorAuthorization.COGNITO,
      userPool,
      cors: { allowOrigins: ['https://shop.example.com'] },
      webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/front/abc',
      tracingEnabled: true,
      routes: [FrontDoorRoute.toQueue({ path: 'orders', queue: b.fifoQueue, messageGroupId: FrontDoorValue.header('X-Group-Id') })],
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'COGNITO_USER_POOLS' });
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'COGNITO_USER_POOLS', RequestParameters: { 'method.request.header.X-Group-Id': true } });
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' });
    t.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { WebACLArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/front/abc' });
    t.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
  });

  test('Lambda authorizer (token, cached 5 minutes)', () => {
    const stack = newStack();
    const b = backends(stack);
    const fn = new lambda.Function(stack, 'Auth', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({})') });
    new FrontDoor(stack, 'Door', { authorization: FrontDoorAuthorization.LAMBDA, authorizerFunction: fn, routes: [FrontDoorRoute.toQueue({ path: 'orders', queue: b.queue })] });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'TOKEN', AuthorizerResultTtlInSeconds: 300 });
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'CUSTOM' });
  });

  test('alarms off; alarm topic on ALARM and OK; thresholds as given', () => {
    const stack = newStack();
    const b = backends(stack);
    const off = new FrontDoor(stack, 'Off', { alarmsEnabled: false, routes: [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue })] });
    expect(off.alarms).toEqual([]);
    const topic = new sns.Topic(stack, 'Topic');
    new FrontDoor(stack, 'On', { alarmTopic: topic, latencyP99Threshold: Duration.millis(500), clientErrorRateThreshold: 0.02, routes: [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue })] });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', Threshold: 500, AlarmActions: [{ Ref: Match.anyValue() }], OKActions: [{ Ref: Match.anyValue() }] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '4XXError', Threshold: 0.02 });
  });

  test('a CfnParameter token as rate limit, burst and quota synthesizes (never checked)', () => {
    const stack = newStack();
    const b = backends(stack);
    const n = new CfnParameter(stack, 'N', { type: 'Number', default: 10 }).valueAsNumber;
    new FrontDoor(stack, 'Door', { authorization: FrontDoorAuthorization.API_KEY, dailyQuota: n, throttling: { rateLimit: n, burstLimit: n }, routes: [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, throttling: { rateLimit: n } })] });
    expect(() => Template.fromStack(stack)).not.toThrow();
  });
});

describe('FrontDoor HTTP API: first-class integrations (IntegrationSubtype)', () => {
  const stack = newStack();
  const b = backends(stack);
  const door = new FrontDoor(stack, 'Door', {
    apiKind: FrontDoorApiKind.HTTP,
    routes: [
      FrontDoorRoute.toQueue({ path: 'orders', queue: b.fifoQueue, messageGroupId: FrontDoorValue.bodyField('customerId') }),
      FrontDoorRoute.toStream({ path: 'clicks', stream: b.stream, partitionKey: FrontDoorValue.header('X-Session'), throttling: { rateLimit: 7 } }),
      FrontDoorRoute.toEventBus({ path: 'events', eventBus: b.bus, source: 'shop.web', detailType: 'OrderPlaced' }),
      FrontDoorRoute.toWorkflow({ path: 'jobs', stateMachine: b.standard }),
      FrontDoorRoute.toWorkflow({ path: 'quotes', stateMachine: b.express, synchronous: true }),
    ],
  });
  const template = Template.fromStack(stack);

  test('HTTP API, no REST API, each route an AWS_PROXY integration with its subtype and parameter mapping', () => {
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    expect(door.httpApi).toBeDefined();
    const subtypes = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).map(i => i.Properties.IntegrationSubtype).sort();
    expect(subtypes).toEqual(['EventBridge-PutEvents', 'Kinesis-PutRecord', 'SQS-SendMessage', 'StepFunctions-StartExecution', 'StepFunctions-StartSyncExecution']);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationSubtype: 'SQS-SendMessage',
      PayloadFormatVersion: '1.0',
      RequestParameters: Match.objectLike({ MessageBody: '$request.body', MessageGroupId: '$request.body.customerId', MessageDeduplicationId: '$context.requestId' }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationSubtype: 'Kinesis-PutRecord', RequestParameters: Match.objectLike({ PartitionKey: '$request.header.X-Session', Data: '$request.body.data' }) });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationSubtype: 'EventBridge-PutEvents', RequestParameters: Match.objectLike({ Source: 'shop.web', DetailType: 'OrderPlaced', Detail: '$request.body' }) });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /orders', AuthorizationType: 'AWS_IAM' });
  });

  test('stage: throttling, the route\'s own, JSON access logs; alarms with ApiId + Stage dimensions', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 }),
      RouteSettings: { 'POST /clicks': { ThrottlingRateLimit: 7, ThrottlingBurstLimit: 200 } },
      AccessLogSettings: Match.objectLike({ Format: Match.stringLikeRegexp('integrationError') }),
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(a => a.Properties);
    expect(alarms.map(a => a.MetricName).sort()).toEqual(['4xx', '5xx', 'IntegrationLatency', 'Latency']);
    for (const a of alarms) expect(a.Dimensions.map((d: any) => d.Name).sort()).toEqual(['ApiId', 'Stage']);
  });

  test('least privilege on HTTP too: one action on one resource per route', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter(p => /DoorRoute\d/.test(JSON.stringify(p.Properties.Roles)));
    expect(policies.map(p => p.Properties.PolicyDocument.Statement.map((s: any) => s.Action)).flat().sort())
      .toEqual(['events:PutEvents', 'kinesis:PutRecord', 'sqs:SendMessage', 'states:StartExecution', 'states:StartSyncExecution']);
  });
});

describe('FrontDoor bad input', () => {
  const door = (s: Stack, props: Record<string, unknown>, routes: (b: ReturnType<typeof backends>) => FrontDoorRoute[] = () => []) => {
    const b = backends(s);
    new FrontDoor(s, 'Door', { ...props, routes: routes(b) });
  };
  const http = { apiKind: FrontDoorApiKind.HTTP };
  const path = 'TestStack/Door';
  const cases: Array<Omit<BadInputCase, 'path'> & { name: string }> = [
    { name: 'HTTP API with API_KEY', build: s => door(s, { ...http, authorization: FrontDoorAuthorization.API_KEY }), code: 'FRONT_DOOR_HTTP_API_KEY', prop: 'authorization', value: 'FrontDoorAuthorization.API_KEY', allowed: 'IAM, COGNITO or LAMBDA on an HTTP API', fix: 'apiKind: FrontDoorApiKind.REST' },
    { name: 'HTTP API with a usage plan quota', build: s => door(s, { ...http, dailyQuota: 10 }), code: 'FRONT_DOOR_HTTP_USAGE_PLAN', prop: 'dailyQuota', value: '10', allowed: 'on an HTTP API', fix: 'remove dailyQuota' },
    { name: 'HTTP API with WAF', build: s => door(s, { ...http, webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:regional/webacl/a/b' }), code: 'FRONT_DOOR_HTTP_WAF', prop: 'webAclArn', value: 'regional/webacl/a/b', allowed: 'on an HTTP API', fix: 'remove webAclArn' },
    { name: 'HTTP API with X-Ray tracing', build: s => door(s, { ...http, tracingEnabled: true }), code: 'FRONT_DOOR_HTTP_TRACING', prop: 'tracingEnabled', value: 'true', allowed: 'do not support X-Ray', fix: 'remove tracingEnabled' },
    { name: 'HTTP API with a request validator (schema)', build: s => door(s, http, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, requestSchema: { type: apigateway.JsonSchemaType.OBJECT } })]), code: 'FRONT_DOOR_HTTP_VALIDATION', prop: 'routes[0].requestSchema', value: 'a JSON schema', allowed: 'does not validate request bodies', fix: 'apiKind: FrontDoorApiKind.REST' },
    { name: 'HTTP API with a PutRecords batch route', build: s => door(s, http, b => [FrontDoorRoute.toStream({ path: 'a', stream: b.stream, partitionKey: FrontDoorValue.bodyField('k'), batch: true })]), code: 'FRONT_DOOR_HTTP_BATCH', prop: 'routes[0].batch', value: 'true on an HTTP API', allowed: 'Kinesis-PutRecord only', fix: 'remove routes[0].batch' },
    { name: 'throttling rate 0', build: s => door(s, { throttling: { rateLimit: 0 } }), code: 'FRONT_DOOR_THROTTLING_RATE', prop: 'throttling.rateLimit', value: '0 requests/s', allowed: 'from 1 to 10,000', fix: 'the account\'s default regional quota' },
    { name: 'route burst NaN', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, throttling: { burstLimit: NaN } })]), code: 'FRONT_DOOR_THROTTLING_BURST', prop: 'routes[0].throttling.burstLimit', value: 'NaN', allowed: 'from 1 to 5,000', fix: 'default burst quota' },
    { name: 'burst above 5,000', build: s => door(s, { throttling: { burstLimit: 6000 } }), code: 'FRONT_DOOR_THROTTLING_BURST', prop: 'throttling.burstLimit', value: '6000', allowed: 'from 1 to 5,000', fix: 'set throttling.burstLimit' },
    { name: 'integration timeout 30 s', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, integrationTimeout: Duration.seconds(30) })]), code: 'FRONT_DOOR_INTEGRATION_TIMEOUT', prop: 'routes[0].integrationTimeout', value: '30 seconds', allowed: '50 millis to 29 seconds', fix: 'between 50 millis and 29 seconds' },
    { name: 'integration timeout 10 ms', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, integrationTimeout: Duration.millis(10) })]), code: 'FRONT_DOOR_INTEGRATION_TIMEOUT', prop: 'routes[0].integrationTimeout', value: '10 millis', allowed: '50 millis to 29 seconds', fix: 'between 50 millis and 29 seconds' },
    { name: 'FIFO queue route without a group id source', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.fifoQueue })]), code: 'FRONT_DOOR_FIFO_GROUP_ID', prop: 'routes[0].messageGroupId', value: 'undefined on a FIFO queue', allowed: 'FrontDoorValue.bodyField', fix: 'set routes[0].messageGroupId' },
    { name: 'group id on a standard queue', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, messageGroupId: FrontDoorValue.bodyField('c') })]), code: 'FRONT_DOOR_GROUP_ID_ON_STANDARD', prop: 'routes[0].messageGroupId', value: 'FrontDoorValue.bodyField(\'c\')', allowed: 'on a standard queue', fix: 'use a FIFO queue' },
    { name: 'stream route without a partition key source', build: s => door(s, {}, b => [FrontDoorRoute.toStream({ path: 'a', stream: b.stream } as unknown as StreamRouteOptions)]), code: 'FRONT_DOOR_PARTITION_KEY', prop: 'routes[0].partitionKey', value: 'undefined', allowed: 'FrontDoorValue.bodyField', fix: 'set routes[0].partitionKey' },
    { name: 'batch stream route keyed by a header', build: s => door(s, {}, b => [FrontDoorRoute.toStream({ path: 'a', stream: b.stream, partitionKey: FrontDoorValue.header('X-K'), batch: true })]), code: 'FRONT_DOOR_BATCH_PARTITION_KEY', prop: 'routes[0].partitionKey', value: 'FrontDoorValue.header(\'X-K\')', allowed: 'each record has its own key', fix: 'FrontDoorValue.bodyField' },
    { name: 'body field with a quote in its name', build: s => door(s, {}, b => [FrontDoorRoute.toStream({ path: 'a', stream: b.stream, partitionKey: FrontDoorValue.bodyField('a\'b') })]), code: 'FRONT_DOOR_VALUE_NAME', prop: 'routes[0].partitionKey', value: '"a\'b"', allowed: 'dotted path', fix: 'customer.id' },
    { name: 'route path clash', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue }), FrontDoorRoute.toEventBus({ path: 'a', eventBus: b.bus, source: 's', detailType: 'd' })]), code: 'FRONT_DOOR_ROUTE_CLASH', prop: 'routes[1].path', value: '"a" with method POST', allowed: 'routes[0] has it', fix: 'change routes[1].path or routes[1].method' },
    { name: 'route path clash through addRoute', build: s => { const b = backends(s); new FrontDoor(s, 'Door', { routes: [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue })] }).addRoute(FrontDoorRoute.toQueue({ path: 'a', queue: b.queue })); }, code: 'FRONT_DOOR_ROUTE_CLASH', prop: 'routes[1].path', value: '"a" with method POST', allowed: 'routes[0] has it', fix: 'change routes[1].path' },
    { name: 'route method not allowed', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, method: 'GET' })]), code: 'FRONT_DOOR_ROUTE_METHOD', prop: 'routes[0].method', value: '"GET"', allowed: 'POST, PUT, PATCH', fix: 'use POST' },
    { name: 'route path with a leading slash', build: s => door(s, {}, b => [FrontDoorRoute.toQueue({ path: '/a', queue: b.queue })]), code: 'FRONT_DOOR_ROUTE_PATH', prop: 'routes[0].path', value: '"/a"', allowed: 'no leading or trailing /', fix: 'v1/orders' },
    { name: 'non-regional (CloudFront) WAF ACL', build: s => door(s, { webAclArn: 'arn:aws:wafv2:us-east-1:111111111111:global/webacl/a/b' }), code: 'FRONT_DOOR_WAF_REGIONAL', prop: 'webAclArn', value: 'global/webacl/a/b', allowed: 'scope REGIONAL', fix: 'create the web ACL with scope REGIONAL' },
    { name: 'synchronous route to a Standard workflow', build: s => door(s, {}, b => [FrontDoorRoute.toWorkflow({ path: 'a', stateMachine: b.standard, synchronous: true })]), code: 'FRONT_DOOR_SYNC_STANDARD_WORKFLOW', prop: 'routes[0].synchronous', value: 'true with a STANDARD workflow', allowed: 'EXPRESS workflows only', fix: 'remove routes[0].synchronous' },
    { name: 'event source with VTL syntax', build: s => door(s, {}, b => [FrontDoorRoute.toEventBus({ path: 'a', eventBus: b.bus, source: '$context.x', detailType: 'd' })]), code: 'FRONT_DOOR_EVENT_SOURCE', prop: 'routes[0].source', value: '"$context.x"', allowed: '1 to 256 characters', fix: 'shop.orders' },
    { name: 'detail-type with a quote', build: s => door(s, {}, b => [FrontDoorRoute.toEventBus({ path: 'a', eventBus: b.bus, source: 's', detailType: 'say "hi"' })]), code: 'FRONT_DOOR_EVENT_DETAIL_TYPE', prop: 'routes[0].detailType', value: '"say "hi""', allowed: '1 to 128 characters', fix: 'OrderPlaced' },
    { name: 'COGNITO without a user pool', build: s => door(s, { authorization: FrontDoorAuthorization.COGNITO }), code: 'FRONT_DOOR_COGNITO_USER_POOL', prop: 'userPool', value: 'undefined with FrontDoorAuthorization.COGNITO', allowed: 'user pool', fix: 'set userPool' },
    { name: 'COGNITO on HTTP without app clients', build: s => door(s, { ...http, authorization: FrontDoorAuthorization.COGNITO, userPool: new cognito.UserPool(s, 'P') }), code: 'FRONT_DOOR_COGNITO_CLIENTS', prop: 'userPoolClients', value: 'none with COGNITO on an HTTP API', allowed: 'JWT audience', fix: 'set userPoolClients' },
    { name: 'LAMBDA without a function', build: s => door(s, { authorization: FrontDoorAuthorization.LAMBDA }), code: 'FRONT_DOOR_LAMBDA_AUTHORIZER', prop: 'authorizerFunction', value: 'undefined with FrontDoorAuthorization.LAMBDA', allowed: 'authorizer function', fix: 'set authorizerFunction' },
    { name: 'dailyQuota without API keys', build: s => door(s, { dailyQuota: 5 }), code: 'FRONT_DOOR_QUOTA_WITHOUT_API_KEY', prop: 'dailyQuota', value: '5', allowed: 'without FrontDoorAuthorization.API_KEY', fix: 'set authorization: FrontDoorAuthorization.API_KEY' },
    { name: 'dailyQuota 0', build: s => door(s, { authorization: FrontDoorAuthorization.API_KEY, dailyQuota: 0 }), code: 'FRONT_DOOR_DAILY_QUOTA', prop: 'dailyQuota', value: '0 requests', allowed: 'from 1 to 1,000,000,000', fix: 'set dailyQuota' },
    { name: 'CORS with no origins', build: s => door(s, { cors: { allowOrigins: [] } }), code: 'FRONT_DOOR_CORS_ORIGINS', prop: 'cors.allowOrigins', value: 'an empty list', allowed: 'at least one element', fix: 'list the origins' },
    { name: 'client error rate above 1', build: s => door(s, { clientErrorRateThreshold: 5 }), code: 'FRONT_DOOR_CLIENT_ERROR_RATE', prop: 'clientErrorRateThreshold', value: '5', allowed: 'from 0 to 1', fix: '0.1 for 10 %' },
    { name: 'latency threshold of an hour', build: s => door(s, { latencyP99Threshold: Duration.hours(1) }), code: 'FRONT_DOOR_LATENCY_THRESHOLD', prop: 'latencyP99Threshold', value: '1 hour', allowed: '1 milli to 30 seconds', fix: 'below API Gateway\'s 29 s timeout' },
    { name: 'dashboard name with spaces', build: s => door(s, { dashboardName: 'my dashboard' }), code: 'DASHBOARD_NAME', prop: 'dashboardName', value: '"my dashboard"', allowed: 'CloudWatch dashboard name', fix: 'rename it' },
  ];

  test.each(cases.map(c => [c.name, c] as const))('%s', (_name, c) => {
    expectBadInput({ ...c, path });
  });

  test('every violation of the props and their routes in ONE error', () => {
    const message = expectBadInput({
      path,
      code: 'FRONT_DOOR_HTTP_API_KEY',
      prop: 'authorization',
      value: 'FrontDoorAuthorization.API_KEY',
      allowed: 'HTTP API',
      fix: 'REST',
      build: s => door(s, { ...http, authorization: FrontDoorAuthorization.API_KEY, throttling: { rateLimit: -1 } }, b => [
        FrontDoorRoute.toQueue({ path: 'a', queue: b.fifoQueue }),
        FrontDoorRoute.toWorkflow({ path: 'a', stateMachine: b.standard, synchronous: true }),
      ]),
    });
    for (const code of ['FRONT_DOOR_HTTP_API_KEY', 'FRONT_DOOR_THROTTLING_RATE', 'FRONT_DOOR_FIFO_GROUP_ID', 'FRONT_DOOR_ROUTE_CLASH', 'FRONT_DOOR_SYNC_STANDARD_WORKFLOW']) expect(message).toContain(`[${code}]`);
  });

  test.each([
    ['throttling.rateLimit', (n: number) => ({ throttling: { rateLimit: n } })],
    ['throttling.burstLimit', (n: number) => ({ throttling: { burstLimit: n } })],
    ['dailyQuota', (n: number) => ({ authorization: FrontDoorAuthorization.API_KEY, dailyQuota: n })],
    ['clientErrorRateThreshold', (n: number) => ({ clientErrorRateThreshold: n })],
  ] as const)('a CfnParameter token as %s synthesizes', (_prop, props) => {
    expectNumberTokenAccepted((s, n) => door(s, props(n), b => [FrontDoorRoute.toQueue({ path: 'a', queue: b.queue, throttling: { rateLimit: n, burstLimit: n } })]));
  });

  test('a synchronous route to an imported state machine warns (cannot be checked)', () => {
    const stack = newStack();
    const b = backends(stack);
    const imported = sfn.StateMachine.fromStateMachineArn(stack, 'Imported', 'arn:aws:states:us-east-1:111111111111:stateMachine:quotes');
    new FrontDoor(stack, 'Door', { routes: [FrontDoorRoute.toWorkflow({ path: 'q', stateMachine: imported, synchronous: true }), FrontDoorRoute.toQueue({ path: 'o', queue: b.queue })] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('must be EXPRESS'));
    expect(warnings).toHaveLength(1);
  });
});
