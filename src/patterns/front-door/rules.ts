import { Duration, Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FrontDoorApiKind, FrontDoorApiOptions, FrontDoorAuthorization, FrontDoorRouteOptions, FrontDoorThrottling, ROUTE_METHODS } from './props';
import { EventBusRoute, FrontDoorRoute, FrontDoorValue, QueueRoute, StreamRoute, WorkflowRoute } from './route';
import { describeDuration, NAME_RULES, Rule, Violations } from '../../core/validation';

/** What the API-level rules look at. Internal. */
export interface ApiRuleInput {
  readonly props: FrontDoorApiOptions;
  readonly apiKind: FrontDoorApiKind;
  readonly authorization: FrontDoorAuthorization;
}

/** What the route rules look at. Internal. */
export interface RouteRuleInput {
  readonly route: FrontDoorRoute;
  /** The route as the user wrote it, e.g. `routes[2]`. */
  readonly prop: string;
  readonly method: string;
  readonly apiKind: FrontDoorApiKind;
  /** Route keys (`POST /orders`) already taken, and by which route. */
  readonly taken: ReadonlyMap<string, string>;
}

const REST_ONLY = 'on an HTTP API (REST only: HTTP APIs have no API keys, usage plans, WAF or request validation)';
const useRest = (prop: string, prefix = '') => `remove ${prop}, or use ${prefix}apiKind: FrontDoorApiKind.REST`;

/**
 * The API's rules, with every prop named under `prefix` (`frontDoor.` in a WriteBuffer): every
 * violation is reported at once.
 */
export function apiRules(prefix = ''): ReadonlyArray<Rule<ApiRuleInput>> {
  const p = (name: string) => `${prefix}${name}`;
  return [
    ({ props, apiKind, authorization }, v) => {
      if (apiKind !== FrontDoorApiKind.HTTP) return;
      v.check('FRONT_DOOR_HTTP_API_KEY', authorization !== FrontDoorAuthorization.API_KEY, {
        prop: p('authorization'),
        value: 'FrontDoorAuthorization.API_KEY',
        allowed: 'IAM, COGNITO or LAMBDA on an HTTP API (it has no API keys or usage plans)',
        fix: `use FrontDoorAuthorization.IAM, or ${p('apiKind')}: FrontDoorApiKind.REST`,
      });
      v.notSetWith('FRONT_DOOR_HTTP_USAGE_PLAN', p('dailyQuota'), props.dailyQuota, REST_ONLY, useRest(p('dailyQuota'), prefix));
      v.notSetWith('FRONT_DOOR_HTTP_WAF', p('webAclArn'), props.webAclArn, REST_ONLY, useRest(p('webAclArn'), prefix));
      v.notSetWith('FRONT_DOOR_HTTP_TRACING', p('tracingEnabled'), props.tracingEnabled, 'on an HTTP API (HTTP APIs do not support X-Ray)', useRest(p('tracingEnabled'), prefix));
      v.notSetWith('FRONT_DOOR_HTTP_EXECUTION_LOGGING', p('executionLogging'), props.executionLogging,
        'on an HTTP API (HTTP APIs have access logs only, which the front door always writes)', useRest(p('executionLogging'), prefix));
    },
    ({ props, apiKind, authorization }, v) => {
      if (apiKind === FrontDoorApiKind.REST && authorization !== FrontDoorAuthorization.API_KEY) {
        v.notSetWith('FRONT_DOOR_QUOTA_WITHOUT_API_KEY', p('dailyQuota'), props.dailyQuota, 'without FrontDoorAuthorization.API_KEY (quotas belong to API keys)',
          `set ${p('authorization')}: FrontDoorAuthorization.API_KEY, or remove ${p('dailyQuota')}`);
      }
      v.numberInRange('FRONT_DOOR_DAILY_QUOTA', p('dailyQuota'), props.dailyQuota, { min: 1, max: 1_000_000_000, unit: 'requests' });
    },
    ({ props, apiKind, authorization }, v) => {
      v.check('FRONT_DOOR_COGNITO_USER_POOL', authorization !== FrontDoorAuthorization.COGNITO || props.userPool !== undefined, {
        prop: p('userPool'), value: 'undefined with FrontDoorAuthorization.COGNITO', allowed: 'the user pool whose tokens are accepted', fix: `set ${p('userPool')}`,
      });
      v.check('FRONT_DOOR_COGNITO_CLIENTS', !(authorization === FrontDoorAuthorization.COGNITO && apiKind === FrontDoorApiKind.HTTP) || (props.userPoolClients?.length ?? 0) > 0, {
        prop: p('userPoolClients'), value: 'none with COGNITO on an HTTP API', allowed: 'one or more app clients (the JWT audience)', fix: `set ${p('userPoolClients')}`,
      });
      v.check('FRONT_DOOR_LAMBDA_AUTHORIZER', authorization !== FrontDoorAuthorization.LAMBDA || props.authorizerFunction !== undefined, {
        prop: p('authorizerFunction'), value: 'undefined with FrontDoorAuthorization.LAMBDA', allowed: 'the authorizer function', fix: `set ${p('authorizerFunction')}`,
      });
    },
    ({ props }, v) => throttling(v, p('throttling'), props.throttling),
    ({ props }, v) => {
      v.numberInRange('FRONT_DOOR_CLIENT_ERROR_RATE', p('clientErrorRateThreshold'), props.clientErrorRateThreshold, { min: 0, max: 1, integer: false, fix: 'a share of requests, e.g. 0.1 for 10 %' });
      for (const [name, value] of [['latencyP99Threshold', props.latencyP99Threshold], ['integrationLatencyP99Threshold', props.integrationLatencyP99Threshold]] as const) {
        v.durationInRange('FRONT_DOOR_LATENCY_THRESHOLD', p(name), value, { min: Duration.millis(1), max: Duration.seconds(30), fix: `set ${p(name)} below API Gateway's 29 s timeout, e.g. Duration.seconds(2)` });
      }
      v.name('FRONT_DOOR_API_NAME', p('apiName'), props.apiName, NAME_RULES.restApi);
    },
    ({ props }, v) => {
      const arn = props.webAclArn;
      if (arn === undefined || Token.isUnresolved(arn)) return;
      v.check('FRONT_DOOR_WAF_REGIONAL', /^arn:[\w-]+:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/.+/.test(arn), {
        prop: p('webAclArn'),
        value: `"${arn}"`,
        allowed: 'the ARN of a WAFv2 web ACL of scope REGIONAL (arn:aws:wafv2:<region>:<account>:regional/webacl/...); CLOUDFRONT (global) ACLs cannot be associated with an API stage',
        fix: 'create the web ACL with scope REGIONAL in the API\'s region',
      });
    },
    ({ props }, v) => v.nonEmpty('FRONT_DOOR_CORS_ORIGINS', p('cors.allowOrigins'), props.cors?.allowOrigins, `list the origins browsers call from, or remove ${p('cors')}`),
    ({ props }, v) => {
      // A browser sends Origin as scheme://host[:port] (RFC 6454): an entry with a path, a trailing
      // slash or no scheme never matches it, so every preflight fails. "*" cannot be mixed with
      // named origins (aws-cdk-lib refuses it; the header carries one value).
      const origins = props.cors?.allowOrigins ?? [];
      const star = origins.includes('*');
      origins.forEach((origin, i) => {
        if (Token.isUnresolved(origin)) return;
        const ok = origin === '*' ? origins.length === 1 : /^https?:\/\/(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin) && !star;
        v.check('FRONT_DOOR_CORS_ORIGIN', ok, {
          prop: p(`cors.allowOrigins[${i}]`),
          value: `"${origin}"${star && origin !== '*' ? ' (with "*" in the list)' : ''}`,
          allowed: 'an origin as browsers send it, scheme://host[:port] without a path or trailing slash (e.g. "https://shop.example.com"), or "*" alone',
          fix: origin === '*' ? 'keep "*" alone, or list only named origins' : `write the origin without path, e.g. "${origin.replace(/^(https?:\/\/[^/]+).*$/, '$1')}"`,
        });
      });
    },
    ({ props }, v) => {
      // A browser's JSON POST is not a "simple request": its preflight needs Content-Type allowed, so
      // an empty list fails every cross-origin call the routes take.
      v.nonEmpty('FRONT_DOOR_CORS_HEADERS_EMPTY', p('cors.allowHeaders'), props.cors?.allowHeaders,
        `list the request headers browsers send (at least Content-Type), or leave ${p('cors.allowHeaders')} unset for the defaults`);
      (props.cors?.allowHeaders ?? []).forEach((header, i) => {
        if (Token.isUnresolved(header)) return;
        // An HTTP field name is a token (RFC 9110 5.1): no spaces, colons or separators.
        v.check('FRONT_DOOR_CORS_HEADER', /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(header), {
          prop: p(`cors.allowHeaders[${i}]`), value: `"${header}"`, allowed: 'an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~; no spaces or colons)', fix: 'e.g. "Content-Type" or "X-Request-Id"',
        });
      });
    },
    ({ props, authorization }, v) => {
      // These settings belong to one authorization; with another they would be ignored.
      const unused: Array<[string, unknown, FrontDoorAuthorization[]]> = [
        ['userPool', props.userPool, [FrontDoorAuthorization.COGNITO]],
        ['userPoolClients', props.userPoolClients, [FrontDoorAuthorization.COGNITO]],
        ['authorizerFunction', props.authorizerFunction, [FrontDoorAuthorization.LAMBDA]],
      ];
      for (const [name, value, kinds] of unused) {
        if (kinds.includes(authorization)) continue;
        v.notSetWith('FRONT_DOOR_AUTH_SETTING_UNUSED', p(name), Array.isArray(value) ? (value.length ? `${value.length} clients` : undefined) : value,
          `with ${p('authorization')} ${authorization} (it is used by FrontDoorAuthorization.${kinds[0]} only)`,
          `remove ${p(name)}, or set ${p('authorization')}: FrontDoorAuthorization.${kinds[0]}`);
      }
    },
    ({ props, apiKind }, v) => {
      // A REST API's alarms and dashboard use the ApiName dimension: CloudWatch dimension values are 1 to 255 characters
      // (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Dimension.html).
      const name = props.apiName;
      if (apiKind !== FrontDoorApiKind.REST || name === undefined || Token.isUnresolved(name)) return;
      v.check('FRONT_DOOR_API_NAME', name.length <= 255, {
        prop: p('apiName'), value: `${name.length} characters`, allowed: 'at most 255 characters (the ApiName dimension of the REST API\'s metrics and alarms)', fix: `shorten ${p('apiName')}`,
      });
    },
    ({ props, apiKind }, v) => {
      // HTTP APIs (API Gateway v2): CORS maxAge is an integer from -1 to 86400 seconds and the API name 1 to 128
      // characters (https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html: Cors.maxAge,
      // CreateApi name; the same bounds are in AWS's service model, botocore apigatewayv2 IntegerWithLengthBetweenMinus1And86400
      // and StringWithLengthBetween1And128). A REST API's Access-Control-Max-Age header has no AWS bound.
      if (apiKind !== FrontDoorApiKind.HTTP) {
        // A REST API's preflight answers Access-Control-Max-Age in whole seconds (aws-cdk-lib fails on a fraction with CannotConvertedIntoWhole).
        const maxAge = props.cors?.maxAge;
        if (maxAge === undefined || maxAge.isUnresolved()) return;
        const seconds = maxAge.toSeconds({ integral: false });
        v.check('FRONT_DOOR_CORS_MAX_AGE', Number.isInteger(seconds), {
          prop: p('cors.maxAge'),
          value: describeDuration(maxAge),
          allowed: 'a whole number of seconds (the Access-Control-Max-Age header)',
          fix: `set ${p('cors.maxAge')} in whole seconds, e.g. Duration.seconds(2), not Duration.millis(1500)`,
        });
        return;
      }
      v.durationInRange('FRONT_DOOR_CORS_MAX_AGE', p('cors.maxAge'), props.cors?.maxAge, {
        min: Duration.seconds(0),
        max: Duration.days(1),
        wholeSeconds: true,
        fix: `set ${p('cors.maxAge')} to whole seconds up to Duration.days(1) (86,400 s, the most an HTTP API takes), or leave it unset for 1 hour`,
      });
      const name = props.apiName;
      if (name === undefined || Token.isUnresolved(name)) return;
      v.check('FRONT_DOOR_API_NAME', name.length <= 128, {
        prop: p('apiName'), value: `${name.length} characters`, allowed: 'at most 128 characters (an HTTP API\'s name)', fix: `shorten ${p('apiName')} to 128 characters`,
      });
    },
  ];
}

/** The API's rules for a FrontDoor's own props. */
export const API_RULES: ReadonlyArray<Rule<ApiRuleInput>> = apiRules();

/**
 * The rules every route's settings follow (path, method, clash, throttling, timeout, HTTP
 * validation), with the route named `prop` as the user wrote it (`routes[2]`, or `frontDoor`).
 */
export function routeOptionRules(v: Violations, prop: string, options: FrontDoorRouteOptions, method: string, apiKind: FrontDoorApiKind,
  taken: ReadonlyMap<string, string>): void {
  const path = options.path;
  const pathOk = typeof path === 'string' && /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(path);
  v.check('FRONT_DOOR_ROUTE_PATH', pathOk, {
    prop: `${prop}.path`, value: `"${path}"`, allowed: 'path parts of A-Z a-z 0-9 . _ - separated by /, no leading or trailing /', fix: 'e.g. "orders" or "v1/orders"',
  });
  v.check('FRONT_DOOR_ROUTE_METHOD', ROUTE_METHODS.includes(method), {
    prop: `${prop}.method`, value: `"${options.method}"`, allowed: ROUTE_METHODS.join(', '), fix: 'use POST (the default) to send a body to the backend',
  });
  const clash = taken.get(`${method} /${path}`);
  v.check('FRONT_DOOR_ROUTE_CLASH', clash === undefined, {
    prop: `${prop}.path`, value: `"${path}" with method ${method}`, allowed: `a path and method no other route uses (${clash} has it)`, fix: `change ${prop}.path or ${prop}.method`,
  });
  throttling(v, `${prop}.throttling`, options.throttling);
  v.durationInRange('FRONT_DOOR_INTEGRATION_TIMEOUT', `${prop}.integrationTimeout`, options.integrationTimeout, { min: Duration.millis(50), max: Duration.seconds(29) });
  if (apiKind === FrontDoorApiKind.HTTP) {
    v.notSetWith('FRONT_DOOR_HTTP_VALIDATION', `${prop}.requestSchema`, options.requestSchema === undefined ? undefined : 'a JSON schema',
      'on an HTTP API (it does not validate request bodies)', useRest(`${prop}.requestSchema`));
  }
}

/** A queue route's group and deduplication ids: required on FIFO, refused on standard queues, well-named. */
export function queueValueRules(v: Violations, prop: string, fifo: boolean | undefined, messageGroupId: FrontDoorValue | undefined,
  deduplicationId: FrontDoorValue | undefined): void {
  if (fifo) {
    v.check('FRONT_DOOR_FIFO_GROUP_ID', messageGroupId !== undefined, {
      prop: `${prop}.messageGroupId`,
      value: 'undefined on a FIFO queue',
      allowed: 'FrontDoorValue.bodyField(...) or FrontDoorValue.header(...)',
      fix: `set ${prop}.messageGroupId, e.g. FrontDoorValue.bodyField('customerId') (messages of one group keep their order)`,
    });
  } else {
    v.notSetWith('FRONT_DOOR_GROUP_ID_ON_STANDARD', `${prop}.messageGroupId`, messageGroupId?.toString(), 'on a standard queue', `remove ${prop}.messageGroupId, or use a FIFO queue`);
    v.notSetWith('FRONT_DOOR_GROUP_ID_ON_STANDARD', `${prop}.deduplicationId`, deduplicationId?.toString(), 'on a standard queue', `remove ${prop}.deduplicationId, or use a FIFO queue`);
  }
  valueName(v, `${prop}.messageGroupId`, messageGroupId);
  valueName(v, `${prop}.deduplicationId`, deduplicationId);
}

/** One route's rules. */
export const ROUTE_RULES: ReadonlyArray<Rule<RouteRuleInput>> = [
  ({ route, prop, method, apiKind, taken }, v) => routeOptionRules(v, prop, route.options, method, apiKind, taken),
  ({ route, prop }, v) => {
    if (!(route instanceof QueueRoute)) return;
    const { queue, messageGroupId, deduplicationId } = route.options;
    queueValueRules(v, prop, queue.fifo, messageGroupId, deduplicationId);
  },
  ({ route, prop, apiKind }, v) => {
    if (!(route instanceof StreamRoute)) return;
    const { partitionKey, batch } = route.options;
    v.check('FRONT_DOOR_PARTITION_KEY', partitionKey !== undefined, {
      prop: `${prop}.partitionKey`,
      value: 'undefined',
      allowed: 'FrontDoorValue.bodyField(...), .header(...) or .requestId()',
      fix: `set ${prop}.partitionKey, e.g. FrontDoorValue.bodyField('deviceId') (records with one key stay in order)`,
    });
    valueName(v, `${prop}.partitionKey`, partitionKey);
    if (!batch) return;
    v.check('FRONT_DOOR_HTTP_BATCH', apiKind === FrontDoorApiKind.REST, {
      prop: `${prop}.batch`, value: 'true on an HTTP API', allowed: 'false: HTTP APIs have Kinesis-PutRecord only', fix: useRest(`${prop}.batch`),
    });
    v.check('FRONT_DOOR_BATCH_PARTITION_KEY', partitionKey === undefined || partitionKey.kind === 'BODY_FIELD', {
      prop: `${prop}.partitionKey`, value: `${partitionKey}`, allowed: 'FrontDoorValue.bodyField(...) with batch (each record has its own key)', fix: 'use FrontDoorValue.bodyField(\'<field of each record>\')',
    });
  },
  ({ route, prop }, v) => {
    if (!(route instanceof EventBusRoute)) return;
    for (const [name, value, max, code] of [['source', route.options.source, 256, 'FRONT_DOOR_EVENT_SOURCE'], ['detailType', route.options.detailType, 128, 'FRONT_DOOR_EVENT_DETAIL_TYPE']] as const) {
      // No $ or # (VTL syntax) and no quotes: the value is written into the mapping template.
      v.check(code, typeof value === 'string' && value.length >= 1 && value.length <= max && /^[A-Za-z0-9 ._:/-]+$/.test(value), {
        prop: `${prop}.${name}`, value: `"${value}"`, allowed: `1 to ${max} characters of A-Z a-z 0-9 space . _ : / -`, fix: 'e.g. source "shop.orders", detailType "OrderPlaced"',
      });
      // PutEvents refuses sources starting with "aws." (NotAuthorizedForSourceException): every request would fail.
      if (name === 'source' && typeof value === 'string') {
        v.check(code, !value.startsWith('aws.'), {
          prop: `${prop}.source`, value: `"${value}"`, allowed: 'a source not starting with "aws." (reserved for AWS services)', fix: 'name the source for your application, e.g. "shop.orders"',
        });
      }
    }
  },
  ({ route, prop }, v) => {
    if (!(route instanceof WorkflowRoute) || !route.options.synchronous) return;
    const sm = route.options.stateMachine;
    if (!(sm instanceof sfn.StateMachine)) return; // imported: cannot be checked (the construct warns)
    v.check('FRONT_DOOR_SYNC_STANDARD_WORKFLOW', sm.stateMachineType === sfn.StateMachineType.EXPRESS, {
      prop: `${prop}.synchronous`,
      value: `true with a ${sm.stateMachineType} workflow (${sm.node.path})`,
      allowed: 'synchronous routes to EXPRESS workflows only (StartSyncExecution)',
      fix: `use an EXPRESS state machine, or remove ${prop}.synchronous to start the workflow and answer with its execution ARN`,
    });
  },
];

function throttling(v: Violations, prop: string, t: FrontDoorThrottling | undefined): void {
  v.numberInRange('FRONT_DOOR_THROTTLING_RATE', `${prop}.rateLimit`, t?.rateLimit, {
    min: 1, max: 10_000, integer: false, unit: 'requests/s', fix: `set ${prop}.rateLimit from 1 to 10,000 (the account's default regional quota)`,
  });
  v.numberInRange('FRONT_DOOR_THROTTLING_BURST', `${prop}.burstLimit`, t?.burstLimit, {
    min: 1, max: 5_000, unit: 'requests', fix: `set ${prop}.burstLimit to a whole number from 1 to 5,000 (the account's default burst quota)`,
  });
}

function valueName(v: Violations, prop: string, value: FrontDoorValue | undefined): void {
  if (value === undefined || value.kind === 'REQUEST_ID') return;
  const field = value.kind === 'BODY_FIELD';
  v.check('FRONT_DOOR_VALUE_NAME', field ? /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(value.name) : /^[A-Za-z0-9-]+$/.test(value.name), {
    prop,
    value: `"${value.name}"`,
    allowed: field ? 'a body field name or dotted path of A-Z a-z 0-9 _' : 'a header name of A-Z a-z 0-9 -',
    fix: field ? 'e.g. "customerId" or "customer.id"' : 'e.g. "X-Group-Id"',
  });
}
