import { CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { backends } from './fixtures';
import { FrontDoor, FrontDoorApiKind, FrontDoorAuthorization, FrontDoorProps, FrontDoorRoute } from '../../../src';
import { BadInputCase, expectBadInput, newStack } from '../../support';

// Issue #11, second pass: FrontDoor inputs that never work (a CORS origin no browser sends, an
// authorizer setting the chosen authorization ignores, a reserved event source) or that failed
// with a raw aws-cdk-lib message (a "*" mixed with origins, an API name too long for its metrics).

const door = (s: Stack, props: Partial<FrontDoorProps>, routes?: (b: ReturnType<typeof backends>) => FrontDoorRoute[]) => {
  const b = backends(s);
  return new FrontDoor(s, 'Door', { routes: routes ? routes(b) : [FrontDoorRoute.toQueue({ path: 'orders', queue: b.queue })], ...props });
};
const fn = (s: Stack) => lambda.Function.fromFunctionArn(s, 'Authorizer', 'arn:aws:lambda:us-east-1:111111111111:function:auth');
const D = 'TestStack/Door';

describe('FrontDoor bad input, second pass', () => {
  const cases: BadInputCase[] = [
    {
      build: s => door(s, { cors: { allowOrigins: ['https://shop.example.com/app'] } }),
      path: D,
      code: 'FRONT_DOOR_CORS_ORIGIN',
      prop: 'cors.allowOrigins[0]',
      value: '"https://shop.example.com/app"',
      allowed: 'scheme://host[:port] without a path',
      fix: 'write the origin without path, e.g. "https://shop.example.com"',
    },
    {
      build: s => door(s, { apiKind: FrontDoorApiKind.HTTP, cors: { allowOrigins: ['https://shop.example.com/'] } }),
      path: D,
      code: 'FRONT_DOOR_CORS_ORIGIN',
      prop: 'cors.allowOrigins[0]',
      value: '"https://shop.example.com/"',
      allowed: 'without a path or trailing slash',
      fix: '"https://shop.example.com"',
    },
    {
      build: s => door(s, { cors: { allowOrigins: ['shop.example.com'] } }),
      path: D,
      code: 'FRONT_DOOR_CORS_ORIGIN',
      prop: 'cors.allowOrigins[0]',
      value: '"shop.example.com"',
      allowed: 'scheme://host[:port]',
      fix: 'without path',
    },
    {
      build: s => door(s, { cors: { allowOrigins: ['*', 'https://shop.example.com'] } }),
      path: D,
      code: 'FRONT_DOOR_CORS_ORIGIN',
      prop: 'cors.allowOrigins[0]',
      value: '"*"',
      allowed: 'or "*" alone',
      fix: 'keep "*" alone',
    },
    {
      build: s => door(s, { cors: { allowOrigins: ['https://shop.example.com'], allowHeaders: ['Content Type'] } }),
      path: D,
      code: 'FRONT_DOOR_CORS_HEADER',
      prop: 'cors.allowHeaders[0]',
      value: '"Content Type"',
      allowed: 'an HTTP header name',
      fix: '"Content-Type"',
    },
    {
      build: s => door(s, { cors: { allowOrigins: ['https://shop.example.com'], allowHeaders: [] } }),
      path: D,
      code: 'FRONT_DOOR_CORS_HEADERS_EMPTY',
      prop: 'cors.allowHeaders',
      value: 'an empty list',
      allowed: 'at least one element',
      fix: 'at least Content-Type',
    },
    {
      build: s => door(s, { userPool: new cognito.UserPool(s, 'Pool') }),
      path: D,
      code: 'FRONT_DOOR_AUTH_SETTING_UNUSED',
      prop: 'userPool',
      value: 'construct TestStack/Pool',
      allowed: 'no value with authorization IAM',
      fix: 'set authorization: FrontDoorAuthorization.COGNITO',
    },
    {
      build: s => door(s, { authorization: FrontDoorAuthorization.COGNITO, userPool: new cognito.UserPool(s, 'Pool'), authorizerFunction: fn(s) }),
      path: D,
      code: 'FRONT_DOOR_AUTH_SETTING_UNUSED',
      prop: 'authorizerFunction',
      value: 'construct TestStack/Authorizer',
      allowed: 'no value with authorization COGNITO',
      fix: 'remove authorizerFunction',
    },
    {
      build: s => door(s, { apiKind: FrontDoorApiKind.HTTP, authorization: FrontDoorAuthorization.LAMBDA, authorizerFunction: fn(s), userPoolClients: [new cognito.UserPool(s, 'Pool').addClient('Web')] }),
      path: D,
      code: 'FRONT_DOOR_AUTH_SETTING_UNUSED',
      prop: 'userPoolClients',
      value: '1 clients',
      allowed: 'no value with authorization LAMBDA',
      fix: 'remove userPoolClients',
    },
    {
      build: s => door(s, { apiName: 'a'.repeat(256) }),
      path: D,
      code: 'FRONT_DOOR_API_NAME',
      prop: 'apiName',
      value: '256 characters',
      allowed: 'at most 255 characters (the ApiName dimension',
      fix: 'shorten apiName',
    },
    {
      build: s => door(s, {}, b => [FrontDoorRoute.toEventBus({ path: 'events', eventBus: b.bus, source: 'aws.orders', detailType: 'OrderPlaced' })]),
      path: D,
      code: 'FRONT_DOOR_EVENT_SOURCE',
      prop: 'routes[0].source',
      value: '"aws.orders"',
      allowed: 'not starting with "aws."',
      fix: 'shop.orders',
    },
  ];
  test.each(cases.map(c => [`${c.code} ${c.prop}: ${c.value}`, c] as const))('%s', (_name, c) => {
    expectBadInput(c);
  });

  test('boundaries are accepted: origins with port and wildcard subdomain, "*" alone, header names, the authorization\'s own settings, a 255-character REST name', () => {
    const s = newStack();
    door(s, { cors: { allowOrigins: ['https://shop.example.com', 'http://localhost:3000', 'https://*.example.com'], allowHeaders: ['Content-Type', 'X-Request-Id'] }, apiName: 'a'.repeat(255) });
    const t = newStack('Second');
    door(t, { apiKind: FrontDoorApiKind.HTTP, cors: { allowOrigins: ['*'] }, authorization: FrontDoorAuthorization.LAMBDA, authorizerFunction: fn(t) });
    expect(() => Template.fromStack(s)).not.toThrow();
    expect(() => Template.fromStack(t)).not.toThrow();
  });

  test('a long route path synthesizes (the integration role\'s description is cut to IAM\'s 1,000 characters, not refused with IAM\'s message)', () => {
    const s = newStack();
    door(s, {}, b => [FrontDoorRoute.toQueue({ path: `v1/${'orders-'.repeat(150)}`, queue: b.queue })]);
    const roles = Template.fromStack(s).findResources('AWS::IAM::Role');
    expect(Object.values(roles).every((r: any) => (r.Properties.Description ?? '').length <= 1000)).toBe(true);
  });

  test('tokens are not checked: a CfnParameter origin and API name', () => {
    const s = newStack();
    const p = (id: string) => new CfnParameter(s, id, { type: 'String' }).valueAsString;
    door(s, { cors: { allowOrigins: [p('Origin')] }, apiName: p('Name') });
    expect(() => Template.fromStack(s)).not.toThrow();
  });
});

// Issue #11, third pass: HTTP API limits from API Gateway v2's API reference (Cors.maxAge -1..86400 s, name 1..128).
describe('FrontDoor HTTP API limits', () => {
  const http = { apiKind: FrontDoorApiKind.HTTP };
  const cases: BadInputCase[] = [
    {
      build: s => door(s, { ...http, cors: { allowOrigins: ['https://shop.example.com'], maxAge: Duration.seconds(86_401) } }),
      path: D,
      code: 'FRONT_DOOR_CORS_MAX_AGE',
      prop: 'cors.maxAge',
      value: '(86,401 s)',
      allowed: 'a whole number of seconds from 0 seconds to 1 day',
      fix: 'up to Duration.days(1)',
    },
    {
      build: s => door(s, { ...http, cors: { allowOrigins: ['https://shop.example.com'], maxAge: Duration.millis(1500) } }),
      path: D,
      code: 'FRONT_DOOR_CORS_MAX_AGE',
      prop: 'cors.maxAge',
      value: '1 second 500 millis',
      allowed: 'a whole number of seconds',
      fix: 'whole seconds',
    },
    {
      build: s => door(s, { cors: { allowOrigins: ['https://shop.example.com'], maxAge: Duration.millis(1500) } }),
      path: D,
      code: 'FRONT_DOOR_CORS_MAX_AGE',
      prop: 'cors.maxAge',
      value: '1 second 500 millis',
      allowed: 'a whole number of seconds',
      fix: 'in whole seconds',
    },
    {
      build: s => door(s, { ...http, apiName: 'a'.repeat(129) }),
      path: D,
      code: 'FRONT_DOOR_API_NAME',
      prop: 'apiName',
      value: '129 characters',
      allowed: 'at most 128 characters',
      fix: 'shorten apiName',
    },
  ];
  test.each(cases)('$code $prop: $value', c => {
    expectBadInput(c);
  });

  test('accepted boundaries: maxAge of 1 day and of 0, a 128-character name, burst below rate (API Gateway deploys it)', () => {
    for (const maxAge of [Duration.days(1), Duration.seconds(0)]) {
      const s = newStack();
      door(s, { ...http, apiName: 'a'.repeat(128), cors: { allowOrigins: ['https://shop.example.com'], maxAge }, throttling: { rateLimit: 100, burstLimit: 10 } });
      Template.fromStack(s).hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: { MaxAge: maxAge.toSeconds() } });
    }
    // A REST API's Access-Control-Max-Age has no AWS bound, nor a 129-character name (REST allows 1,024).
    const r = newStack();
    door(r, { apiName: 'a'.repeat(129), cors: { allowOrigins: ['https://shop.example.com'], maxAge: Duration.days(2) } });
    Template.fromStack(r).resourceCountIs('AWS::ApiGateway::RestApi', 1);
  });

  test('a token maxAge and name are not checked', () => {
    const s = newStack();
    const n = new CfnParameter(s, 'Seconds', { type: 'Number' }).valueAsNumber;
    door(s, { ...http, apiName: new CfnParameter(s, 'Name').valueAsString, cors: { allowOrigins: ['https://shop.example.com'], maxAge: Duration.seconds(n) } });
    Template.fromStack(s).resourceCountIs('AWS::ApiGatewayV2::Api', 1);
  });
});
