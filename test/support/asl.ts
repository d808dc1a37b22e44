/**
 * State machine definitions as the tests see them: read from a synthesized template with every
 * CloudFormation intrinsic resolved to a plausible value, and checked by asl-validator (npm), the
 * validator AWS's own toolkit uses. Every test that synthesizes a state machine calls
 * `expectValidDefinitions` on its template.
 */
// asl-validator is CommonJS with `module.exports = validator`.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errors: unknown[];
  errorsText: (separator?: string) => string;
};

/** The account and region ARNs are made up in. */
export const LOCAL_ACCOUNT = '111111111111';
export const LOCAL_REGION = 'us-east-1';

type CfnResources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** The ARN a resource of this type would have, for a logical id. */
function arnFor(type: string, logicalId: string): string {
  const at = `${LOCAL_REGION}:${LOCAL_ACCOUNT}`;
  switch (type) {
    case 'AWS::Lambda::Function': return `arn:aws:lambda:${at}:function:${logicalId}`;
    case 'AWS::SQS::Queue': return `arn:aws:sqs:${at}:${logicalId}`;
    case 'AWS::SNS::Topic': return `arn:aws:sns:${at}:${logicalId}`;
    case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:${at}:table/${logicalId}`;
    case 'AWS::Events::EventBus': return `arn:aws:events:${at}:event-bus/${logicalId}`;
    case 'AWS::StepFunctions::StateMachine': return `arn:aws:states:${at}:stateMachine:${logicalId}`;
    default: return `arn:aws:local:${at}:${logicalId}`;
  }
}

/** What `Ref` returns for a resource of this type. */
function refFor(type: string, logicalId: string): string {
  switch (type) {
    case 'AWS::SQS::Queue': return `https://sqs.${LOCAL_REGION}.amazonaws.com/${LOCAL_ACCOUNT}/${logicalId}`;
    case 'AWS::SNS::Topic':
    case 'AWS::StepFunctions::StateMachine': return arnFor(type, logicalId);
    default: return logicalId; // names: tables, buses, functions
  }
}

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': LOCAL_REGION,
  'AWS::AccountId': LOCAL_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
  'AWS::StackName': 'TestStack',
};

/** Resolves the intrinsics CDK emits in a definition (Fn::Join, Ref, Fn::GetAtt). */
export function resolveIntrinsics(value: unknown, resources: CfnResources): unknown {
  if (Array.isArray(value)) return value.map(v => resolveIntrinsics(v, resources));
  if (typeof value !== 'object' || value === null) return value;
  const obj = value as Record<string, unknown>;
  if ('Ref' in obj) {
    const id = obj.Ref as string;
    if (PSEUDO[id] !== undefined) return PSEUDO[id];
    const r = resources[id];
    if (!r) throw new Error(`Ref to unknown resource ${id}`);
    // A CfnParameter (the tests give number parameters no default): a plausible number.
    if (r.Type === 'Parameter') return String(r.Properties?.Default ?? 60);
    return refFor(r.Type, id);
  }
  if ('Fn::GetAtt' in obj) {
    const [id, attr] = obj['Fn::GetAtt'] as [string, string];
    const r = resources[id];
    if (!r) throw new Error(`Fn::GetAtt on unknown resource ${id}`);
    if (attr === 'Arn') return arnFor(r.Type, id);
    if (attr === 'QueueUrl') return refFor(r.Type, id);
    if (attr === 'Name' || attr === 'QueueName' || attr === 'TopicName') return id;
    throw new Error(`Fn::GetAtt ${id}.${attr} is not modelled in test/support/asl.ts`);
  }
  if ('Fn::Join' in obj) {
    const [sep, parts] = obj['Fn::Join'] as [string, unknown[]];
    return parts.map(p => resolveIntrinsics(p, resources)).join(sep);
  }
  return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolveIntrinsics(v, resources)]));
}

/** Every state machine's definition in a template, by logical id, as parsed JSON. */
export function definitionsOf(template: { toJSON(): Record<string, unknown> }): Record<string, Record<string, unknown>> {
  const json = template.toJSON();
  const parameters = Object.fromEntries(Object.entries((json.Parameters ?? {}) as Record<string, { Default?: unknown }>)
    .map(([k, v]) => [k, { Type: 'Parameter', Properties: { Default: v.Default } }]));
  const resources = { ...parameters, ...(json.Resources as CfnResources) } as CfnResources;
  const out: Record<string, Record<string, unknown>> = {};
  for (const [id, r] of Object.entries(json.Resources as CfnResources)) {
    if (r.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const raw = r.Properties?.DefinitionString;
    if (raw === undefined) throw new Error(`${id} has no DefinitionString (DefinitionS3Location is not read by the tests)`);
    let text = resolveIntrinsics(raw, resources) as string;
    const subs = r.Properties?.DefinitionSubstitutions as Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(subs ?? {})) text = text.split('${' + k + '}').join(String(resolveIntrinsics(v, resources)));
    out[id] = JSON.parse(text);
  }
  return out;
}

/** asl-validator's findings for one definition ([] when valid). */
export function aslErrors(definition: unknown): string[] {
  // The validator annotates the object it reads (QueryLanguage): give it a copy.
  const result = aslValidator(JSON.parse(JSON.stringify(definition)), { checkPaths: true, checkArn: true });
  return result.isValid ? [] : result.errorsText('\n').split('\n');
}

/** Asserts that the template has state machines and that asl-validator accepts every one. */
export function expectValidDefinitions(template: { toJSON(): Record<string, unknown> }): Record<string, Record<string, unknown>> {
  const definitions = definitionsOf(template);
  expect(Object.keys(definitions).length).toBeGreaterThan(0);
  for (const [id, definition] of Object.entries(definitions)) {
    expect({ id, errors: aslErrors(definition) }).toEqual({ id, errors: [] });
  }
  return definitions;
}

/** Every state in a definition, nested ones (Parallel branches, Map processors) included. */
export function allStates(definition: Record<string, unknown>): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  const walk = (states: Record<string, Record<string, unknown>>) => {
    for (const [name, state] of Object.entries(states)) {
      out.push([name, state]);
      const branches = (state.Branches as Array<Record<string, unknown>> | undefined) ?? [];
      for (const branch of branches) walk(branch.States as Record<string, Record<string, unknown>>);
      const inner = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
      if (inner) walk(inner.States as Record<string, Record<string, unknown>>);
    }
  };
  walk(definition.States as Record<string, Record<string, unknown>>);
  return out;
}
