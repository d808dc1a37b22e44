import { Duration, Token } from 'aws-cdk-lib';
import * as appsync from 'aws-cdk-lib/aws-appsync';
import { IConstruct } from 'constructs';
import { RealtimeApiProps } from './realtime-api-props';
import { RealtimeSchema } from './schema';
import { RESOLVER_CODE_LIMIT_BYTES } from './shipped-resolvers';
import { check, checkDurationInRange, checkNumberInRange } from '../../core/validation';

/** The API key expiry AWS accepts, counted from creation. */
const API_KEY_MIN_DAYS = 1;
const API_KEY_MAX_DAYS = 365;

/** Checks the props of a RealtimeApi that can be judged before anything is built. */
export function checkRealtimeApiProps(scope: IConstruct, props: RealtimeApiProps): void {
  checkSchema(scope, props.schema);
  if (props.apiName !== undefined && !Token.isUnresolved(props.apiName)) {
    check(scope, props.apiName.length >= 1 && props.apiName.length <= 65_536, {
      prop: 'apiName',
      value: `"${props.apiName.slice(0, 40)}" (${props.apiName.length} characters)`,
      allowed: '1 to 65,536 characters',
      fix: 'shorten apiName, or leave it unset to use the construct id',
    });
  }
  checkAuthorization(scope, props.authorizationConfig);
  checkWebAcl(scope, props.webAclArn);
  checkNumberInRange(scope, 'clientErrorRateThreshold', props.clientErrorRateThreshold, { min: 0, max: 100, integer: false, unit: '%' });
  checkDurationInRange(scope, 'latencyThreshold', props.latencyThreshold, { min: Duration.millis(1), max: Duration.minutes(5) });
}

function checkSchema(scope: IConstruct, schema: RealtimeSchema): void {
  const problem = schema._problem();
  check(scope, problem === undefined, {
    prop: 'schema',
    value: `${schema.source} ${problem}`,
    allowed: 'a GraphQL schema (SDL) that parses and builds with AppSync\'s scalars and directives',
    fix: 'correct the schema at the line named (graphql-js reports the same errors AppSync would at deploy)',
  });
  const mutationType = schema._rootTypeName('mutation');
  for (const { field, mutations } of schema._subscriptions()) {
    for (const mutation of mutations) {
      const exists = mutationType !== undefined && schema._fieldArguments(mutationType, mutation) !== undefined;
      check(scope, exists, {
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

function checkAuthorization(scope: IConstruct, config: appsync.AuthorizationConfig | undefined): void {
  for (const { prop, mode } of modesOf(config)) {
    const expires = mode.apiKeyConfig?.expires;
    if (mode.authorizationType !== appsync.AuthorizationType.API_KEY || expires === undefined) continue;
    const days = (expires.date.getTime() - Date.now()) / 86_400_000;
    check(scope, days >= API_KEY_MIN_DAYS - 1 / 1440 && days <= API_KEY_MAX_DAYS + 1 / 1440, {
      prop: `${prop}.apiKeyConfig.expires`,
      value: `${expires.date.toISOString()} (${days.toFixed(1)} days from now)`,
      allowed: `${API_KEY_MIN_DAYS} to ${API_KEY_MAX_DAYS} days from now (AppSync refuses other expiry dates)`,
      fix: 'set expires: Expiration.after(Duration.days(n)) with n from 1 to 365, and rotate the key before it expires',
    });
  }
}

/** The web ACL must be regional: CloudFront-scoped (global) ACLs cannot be associated with AppSync. */
function checkWebAcl(scope: IConstruct, arn: string | undefined): void {
  if (arn === undefined || Token.isUnresolved(arn)) return;
  const regional = /^arn:aws[a-z-]*:wafv2:[a-z0-9-]+:\d{12}:regional\/webacl\/[^/]+\/[^/]+$/.test(arn);
  check(scope, regional, {
    prop: 'webAclArn',
    value: `"${arn}"${/:global\/webacl\//.test(arn) ? ' (a CLOUDFRONT-scoped ACL)' : ''}`,
    allowed: 'the ARN of a REGIONAL AWS WAFv2 web ACL (arn:aws:wafv2:<region>:<account>:regional/webacl/<name>/<id>) in the API\'s region',
    fix: 'create the web ACL with scope REGIONAL (wafv2.CfnWebACL scope: "REGIONAL") and pass its attrArn',
  });
}

/** Checks that `typeName.fieldName` exists (and the named arguments on it), for a method that wires it. */
export function checkField(
  scope: IConstruct, method: string, schema: RealtimeSchema, typeName: string, fieldName: string, requiredArguments: string[] = [],
): void {
  const args = schema._fieldArguments(typeName, fieldName);
  check(scope, args !== undefined, {
    prop: `${method} fieldName`,
    value: `${typeName}.${fieldName}`,
    allowed: `a field of the schema's ${typeName} type${fieldsOf(schema, typeName)}`,
    fix: `add ${fieldName} to type ${typeName} in the schema, or correct the type or field name`,
  });
  for (const argument of requiredArguments) {
    check(scope, args!.includes(argument), {
      prop: `${method} argument "${argument}"`,
      value: `${typeName}.${fieldName}(${args!.join(', ')})`,
      allowed: `${typeName}.${fieldName} with an argument "${argument}"`,
      fix: `add ${argument} to ${typeName}.${fieldName} in the schema, or name the argument it has in the options`,
    });
  }
}

function fieldsOf(schema: RealtimeSchema, typeName: string): string {
  const type = schema._built().getType(typeName);
  const names = type && 'getFields' in type ? Object.keys((type as { getFields(): object }).getFields()) : [];
  return names.length ? ` (${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''})` : ' (the schema has no such type)';
}

/** Inline resolver code must fit AppSync's size limit; asset code is measured from its file. */
export function checkResolverCodeSize(scope: IConstruct, prop: string, bytes: number | undefined): void {
  if (bytes === undefined) return;
  check(scope, bytes <= RESOLVER_CODE_LIMIT_BYTES, {
    prop,
    value: `${bytes.toLocaleString('en-US')} bytes of code`,
    allowed: `at most ${RESOLVER_CODE_LIMIT_BYTES.toLocaleString('en-US')} bytes (AppSync's limit for resolver code)`,
    fix: 'bundle without source maps and unused imports, or move work into a pipeline function or a Lambda data source',
  });
}
