import { Duration, Token } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import { IConstruct } from 'constructs';
import { RealtimeApiProps } from './props';
import { RealtimeSchema } from './schema';
import { RESOLVER_CODE_LIMIT_BYTES } from './shipped-resolvers';
import { groupThousands, NAME_RULES, Rule, Violations } from '../../core/validation';

/** The API key expiry AWS accepts, counted from creation. */
const API_KEY_MIN_DAYS = 1;
const API_KEY_MAX_DAYS = 365;

/** The rule table of RealtimeApi's props: every violation is reported in one error. */
export const REALTIME_API_RULES: ReadonlyArray<Rule<RealtimeApiProps>> = [
  (p, v) => schemaRules(p.schema, v),
  (p, v) => v.name('REALTIME_API_NAME', 'apiName', p.apiName, NAME_RULES.graphqlApi),
  (p, v) => apiKeyRules(p.authorizationConfig, v),
  (p, v) => authModeRules(p.authorizationConfig, v),
  (p, v) => webAclRule(p.webAclArn, v),
  (p, v) => v.numberInRange('REALTIME_API_CLIENT_ERROR_RATE', 'clientErrorRateThreshold', p.clientErrorRateThreshold, { min: 0, max: 100, integer: false, unit: '%' }),
  (p, v) => v.durationInRange('REALTIME_API_LATENCY_THRESHOLD', 'latencyThreshold', p.latencyThreshold, { min: Duration.millis(1), max: Duration.minutes(5) }),
];

function schemaRules(schema: RealtimeSchema, v: Violations): void {
  const problem = schema._problem();
  v.check('REALTIME_API_SCHEMA_INVALID', problem === undefined, {
    prop: 'schema',
    value: `${schema.source} ${problem}`,
    allowed: 'a GraphQL schema (SDL) that parses and builds with AppSync\'s scalars and directives',
    fix: 'correct the schema at the line named (graphql-js reports the same errors AppSync would at deploy)',
  });
  if (problem !== undefined) return;
  const mutationType = schema._rootTypeName('mutation');
  for (const { field, mutations } of schema._subscriptions()) {
    for (const mutation of mutations) {
      const exists = mutationType !== undefined && schema._fieldArguments(mutationType, mutation) !== undefined;
      v.check('REALTIME_API_SUBSCRIPTION_MUTATION', exists, {
        prop: 'schema',
        value: `Subscription.${field} @aws_subscribe(mutations: [..."${mutation}"...]) names a mutation the schema lacks`,
        allowed: `mutations of the schema${mutationType ? ` (${mutationType} fields)` : ' (it has no Mutation type)'}`,
        fix: `add ${mutation} to the Mutation type, or correct the name in @aws_subscribe`,
      });
    }
  }
}

function modesOf(config: appsync.AuthorizationConfig | undefined): { prop: string; mode: appsync.AuthorizationMode }[] {
  if (!config) return [];
  const modes: { prop: string; mode: appsync.AuthorizationMode }[] = [];
  if (config.defaultAuthorization) modes.push({ prop: 'authorizationConfig.defaultAuthorization', mode: config.defaultAuthorization });
  (config.additionalAuthorizationModes ?? []).forEach((mode, i) => modes.push({ prop: `authorizationConfig.additionalAuthorizationModes[${i}]`, mode }));
  return modes;
}

function apiKeyRules(config: appsync.AuthorizationConfig | undefined, v: Violations): void {
  for (const { prop, mode } of modesOf(config)) {
    const expires = mode.apiKeyConfig?.expires;
    if (mode.authorizationType !== appsync.AuthorizationType.API_KEY || expires === undefined) continue;
    const days = (expires.date.getTime() - Date.now()) / 86_400_000;
    // A minute of slack each side: Expiration.after() was computed a moment before this check.
    v.check('REALTIME_API_API_KEY_EXPIRY', days >= API_KEY_MIN_DAYS - 1 / 1440 && days <= API_KEY_MAX_DAYS + 1 / 1440, {
      prop: `${prop}.apiKeyConfig.expires`,
      value: `${expires.date.toISOString()} (${days.toFixed(1)} days from now)`,
      allowed: `${API_KEY_MIN_DAYS} to ${API_KEY_MAX_DAYS} days from now (AppSync refuses other expiry dates)`,
      fix: 'set expires: Expiration.after(Duration.days(n)) with n from 1 to 365, and rotate the key before it expires',
    });
  }
}

/**
 * Each mode needs its own settings, and AppSync takes IAM, API_KEY and LAMBDA at most once per API
 * (https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html: "one Lambda function";
 * aws-cdk-lib refuses these with messages that name no prop).
 */
function authModeRules(config: appsync.AuthorizationConfig | undefined, v: Violations): void {
  const needs: Partial<Record<appsync.AuthorizationType, keyof appsync.AuthorizationMode>> = {
    [appsync.AuthorizationType.USER_POOL]: 'userPoolConfig',
    [appsync.AuthorizationType.OIDC]: 'openIdConnectConfig',
    [appsync.AuthorizationType.LAMBDA]: 'lambdaAuthorizerConfig',
  };
  const first = new Map<appsync.AuthorizationType, string>();
  for (const { prop, mode } of modesOf(config)) {
    const setting = needs[mode.authorizationType];
    if (setting) {
      v.check('REALTIME_API_AUTH_CONFIG', mode[setting] !== undefined, {
        prop: `${prop}.${setting}`, value: `undefined with ${mode.authorizationType}`, allowed: `the ${setting} of a ${mode.authorizationType} mode`, fix: `set ${prop}.${setting}`,
      });
    }
    const T = appsync.AuthorizationType;
    const once = [T.IAM, T.API_KEY, T.LAMBDA].includes(mode.authorizationType);
    const taken = first.get(mode.authorizationType);
    v.check('REALTIME_API_AUTH_DUPLICATE', !once || taken === undefined, {
      prop: `${prop}.authorizationType`,
      value: `${mode.authorizationType} (${taken} has it already)`,
      allowed: 'IAM, API_KEY and AWS_LAMBDA at most once per API',
      fix: `remove ${prop}`,
    });
    if (taken === undefined) first.set(mode.authorizationType, prop);
  }
}

/** An AppSync HTTP data source endpoint: an http:// or https:// URL (HttpDataSourceConfig Endpoint, AppSync API reference). */
export function httpEndpointRule(v: Violations, prop: string, endpoint: string): void {
  if (Token.isUnresolved(endpoint)) return;
  let ok = false;
  try {
    const url = new URL(endpoint);
    ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname.length > 0;
  } catch { /* not a URL */ }
  v.check('REALTIME_API_HTTP_ENDPOINT', ok, {
    prop, value: `"${endpoint}"`, allowed: 'an http:// or https:// URL with a host, e.g. "https://api.example.com"', fix: 'give the API\'s base URL',
  });
}

/** The web ACL must be regional: CloudFront-scoped (global) ACLs cannot be associated with AppSync. */
function webAclRule(arn: string | undefined, v: Violations): void {
  if (arn === undefined || Token.isUnresolved(arn)) return;
  const regional = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[^/]+\/[^/]+$/.test(arn);
  v.check('REALTIME_API_WEB_ACL_REGIONAL', regional, {
    prop: 'webAclArn',
    value: `"${arn}"${/:global\/webacl\//.test(arn) ? ' (a CLOUDFRONT-scoped ACL)' : ''}`,
    allowed: 'the ARN of a REGIONAL AWS WAFv2 web ACL (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>) in the API\'s region',
    fix: 'create the web ACL with scope REGIONAL (wafv2.CfnWebACL scope: "REGIONAL") and pass its attrArn',
  });
}

/**
 * Checks that `typeName.fieldName` exists (and the named arguments on it) for a method that wires
 * it; records into `v` (the caller throws).
 */
export function fieldRule(
  v: Violations, method: string, schema: RealtimeSchema, typeName: string, fieldName: string, requiredArguments: string[] = [],
): void {
  const args = schema._fieldArguments(typeName, fieldName);
  v.check('REALTIME_API_FIELD_MISSING', args !== undefined, {
    prop: `${method} fieldName`,
    value: `${typeName}.${fieldName}`,
    allowed: `a field of the schema's ${typeName} type${fieldsOf(schema, typeName)}`,
    fix: `add ${fieldName} to type ${typeName} in the schema, or correct the type or field name`,
  });
  if (args === undefined) return;
  for (const argument of requiredArguments) {
    v.check('REALTIME_API_ARGUMENT_MISSING', args.includes(argument), {
      prop: `${method} argument "${argument}"`,
      value: `${typeName}.${fieldName}(${args.join(', ')})`,
      allowed: `${typeName}.${fieldName} with an argument "${argument}"`,
      fix: `add ${argument} to ${typeName}.${fieldName} in the schema, or name the argument it has in the options`,
    });
  }
}

/** {@link fieldRule} on its own: throws at once. */
export function checkField(
  scope: IConstruct, method: string, schema: RealtimeSchema, typeName: string, fieldName: string, requiredArguments: string[] = [],
): void {
  const v = new Violations(scope);
  fieldRule(v, method, schema, typeName, fieldName, requiredArguments);
  v.throwIfAny();
}

function fieldsOf(schema: RealtimeSchema, typeName: string): string {
  const type = schema._built().getType(typeName);
  const names = type && 'getFields' in type ? Object.keys((type as { getFields(): object }).getFields()) : [];
  return names.length ? ` (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})` : ' (the schema has no such type)';
}

/** Inline resolver code must fit AppSync's size limit; asset code is measured from its file. */
export function codeSizeRule(v: Violations, prop: string, bytes: number | undefined): void {
  if (bytes === undefined) return;
  v.check('REALTIME_API_RESOLVER_CODE_SIZE', bytes <= RESOLVER_CODE_LIMIT_BYTES, {
    prop,
    value: `${groupThousands(bytes)} bytes of code`,
    allowed: `at most ${groupThousands(RESOLVER_CODE_LIMIT_BYTES)} bytes (AppSync's limit for resolver code)`,
    fix: 'bundle without source maps and unused imports, or move work into a pipeline function or a Lambda data source',
  });
}
