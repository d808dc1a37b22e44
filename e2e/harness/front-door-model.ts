/**
 * LABELLED INTEGRATION MODEL (docs/local-aws-fidelity.md, "API Gateway AWS integrations"):
 * MiniStack's API Gateway does not forward REST integrations to Kinesis, EventBridge or Step
 * Functions (504), so for those routes this model does what API Gateway does, from the DEPLOYED
 * configuration: it reads the method's integration back from the emulator's API Gateway
 * (GetResources + GetIntegration), renders the deployed request template with velocityjs and the
 * documented $input/$util/$context shim (test/support/api-gateway-vtl.ts), sends the rendered
 * bytes to the backend service with the integration's headers, SigV4-signed as the integration
 * role would, selects the integration response by status code and renders its template.
 * Nothing is hard-coded per route: change the construct and the model sends what it deploys.
 */
import { randomUUID } from 'crypto';
import { CloudFormationClient, DescribeStackResourcesCommand, GetTemplateCommand } from '@aws-sdk/client-cloudformation';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { clientConfig } from './clients';
import { signedFetch } from './sigv4';
import { renderRequestTemplate, renderResponseTemplate } from '../../test/support/api-gateway-vtl';

/** Printed beside every result the model produced, so nobody mistakes it for the emulator's API Gateway. */
export const MODEL_LABEL = '[integration model: deployed template rendered by velocityjs, sent to MiniStack]';

export { signedFetch } from './sigv4';

/** A method's integration as API Gateway stores it. */
export interface DeployedIntegration {
  readonly uri: string;
  readonly requestParameters: Record<string, string>;
  readonly requestTemplates: Record<string, string>;
  readonly integrationResponses: Record<string, { statusCode: string; selectionPattern?: string; responseTemplates?: Record<string, string> }>;
}

/** GetResources + GetIntegration on the emulator's API Gateway control plane. */
export async function readIntegration(endpoint: string, restApiId: string, resourcePath: string, httpMethod = 'POST'): Promise<DeployedIntegration> {
  const list = await signedFetch(endpoint, 'apigateway', 'GET', `/restapis/${restApiId}/resources?limit=500`, { accept: 'application/json' });
  if (list.status !== 200) throw new Error(`GetResources ${restApiId}: ${list.status} ${list.text.slice(0, 300)}`);
  const parsed = JSON.parse(list.text) as { item?: Array<{ id: string; path: string }>; items?: Array<{ id: string; path: string }> };
  const resource = (parsed.item ?? parsed.items ?? []).find(r => r.path === resourcePath);
  if (!resource) throw new Error(`no resource ${resourcePath} in ${restApiId}`);
  const got = await signedFetch(endpoint, 'apigateway', 'GET', `/restapis/${restApiId}/resources/${resource.id}/methods/${httpMethod}/integration`, { accept: 'application/json' });
  if (got.status !== 200) throw new Error(`GetIntegration ${resourcePath}: ${got.status} ${got.text.slice(0, 300)}`);
  const i = JSON.parse(got.text);
  return {
    uri: i.uri,
    requestParameters: i.requestParameters ?? {},
    requestTemplates: i.requestTemplates ?? {},
    integrationResponses: i.integrationResponses ?? {},
  };
}

/** What the caller would have got, and what the backend answered. */
export interface ModelResponse {
  readonly status: number;
  readonly body: string;
  readonly backendStatus: number;
  readonly backendBody: string;
  readonly requestId: string;
}

/**
 * One request through the model: render → send to the backend → select and render the response.
 * Supports the AWS-integration URI forms `arn:aws:apigateway:<region>:<service>:action/<Action>`
 * (JSON protocols: Kinesis, EventBridge, Step Functions; `sync-states.states` too).
 */
export async function invokeThroughModel(endpoint: string, integration: DeployedIntegration, body: string,
  headers: Record<string, string> = {}): Promise<ModelResponse> {
  const requestId = randomUUID();
  const m = /^arn:[\w-]+:apigateway:[\w-]+:(?:[\w-]+\.)?([\w-]+):action\/(\w+)$/.exec(integration.uri);
  if (!m) throw new Error(`the model handles action integrations only, not ${integration.uri}`);
  const service = m[1];
  const template = integration.requestTemplates['application/json'];
  if (template === undefined) throw new Error(`no application/json request template on ${integration.uri}`);
  const rendered = renderRequestTemplate(template, { body, headers, context: { requestId } });
  const sendHeaders: Record<string, string> = {};
  for (const [key, value] of Object.entries(integration.requestParameters)) {
    const h = /^integration\.request\.header\.(.+)$/.exec(key);
    if (h && /^'.*'$/.test(value)) sendHeaders[h[1].toLowerCase()] = value.slice(1, -1);
  }
  Object.assign(sendHeaders, rendered.headerOverrides);
  // SDK v3 against MiniStack: no `sync-` host prefix (LOCAL-EMULATION.md); the endpoint is the host.
  const backend = await signedFetch(endpoint, service, 'POST', '/', sendHeaders, rendered.output);
  const code = String(backend.status);
  const responses = Object.values(integration.integrationResponses);
  const selected = (backend.status >= 200 && backend.status < 300)
    ? responses.find(r => !r.selectionPattern)
    : responses.find(r => r.selectionPattern && new RegExp(`^${r.selectionPattern}$`).test(code)) ?? responses.find(r => !r.selectionPattern);
  if (!selected) throw new Error(`no integration response for backend status ${code}`);
  const responseTemplate = selected.responseTemplates?.['application/json'];
  const out = responseTemplate === undefined ? { output: backend.text, statusOverride: undefined }
    : renderResponseTemplate(responseTemplate, backend.text || '{}', { context: { requestId } });
  return {
    status: out.statusOverride ?? Number(selected.statusCode),
    body: out.output,
    backendStatus: backend.status,
    backendBody: backend.text,
    requestId,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP API (v2) first-class integrations. MiniStack drops IntegrationSubtype (502), so for HTTP
// routes the model reads the DEPLOYED integration (apigatewayv2 GetRoutes + GetIntegrations:
// IntegrationSubtype and RequestParameters), maps the request parameters exactly as API Gateway
// documents it ("Transforming API requests and responses for HTTP APIs": static values,
// $request.body, $request.body.<JSONPath>, $request.header.<name>, $request.querystring.<name>,
// $request.path.<name>, $context.<variable>, $stageVariables.<name>), and calls MiniStack's
// service with the AWS SDK, with the checks the real service makes and MiniStack does not.
// ---------------------------------------------------------------------------------------------

/** Printed beside every result of the HTTP API model. */
export const HTTP_MODEL_LABEL = '[HTTP API integration model: deployed request parameters mapped as API Gateway documents, sent to MiniStack with the SDK]';

/** An HTTP API route's integration as API Gateway stores it. */
export interface DeployedHttpIntegration {
  readonly routeKey: string;
  readonly integrationType: string;
  readonly integrationSubtype: string;
  /** Where the subtype was read: GetIntegrations, or (MiniStack drops it) the deployed stack's template. */
  readonly subtypeSource: 'GetIntegrations' | 'deployed stack template';
  readonly requestParameters: Record<string, string>;
  readonly payloadFormatVersion?: string;
}

/**
 * The IntegrationSubtype of each integration of a deployed stack, by integration id, from
 * CloudFormation (DescribeStackResources: physical id -> logical id; GetTemplate: the deployed
 * template). MiniStack's apigatewayv2 drops the subtype; its CloudFormation keeps what it deployed.
 */
async function deployedSubtypes(endpoint: string, stackName: string): Promise<Map<string, string>> {
  const cfn = new CloudFormationClient(clientConfig(endpoint));
  try {
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: stackName }))).StackResources ?? [];
    const template = JSON.parse((await cfn.send(new GetTemplateCommand({ StackName: stackName }))).TemplateBody ?? '{}');
    const out = new Map<string, string>();
    for (const r of resources.filter(x => x.ResourceType === 'AWS::ApiGatewayV2::Integration')) {
      const subtype = template.Resources?.[r.LogicalResourceId!]?.Properties?.IntegrationSubtype;
      if (typeof subtype === 'string' && r.PhysicalResourceId) out.set(r.PhysicalResourceId, subtype);
    }
    return out;
  } finally {
    cfn.destroy();
  }
}

/**
 * GetRoutes + GetIntegrations on the emulator's apigatewayv2 control plane, by route key. The
 * subtype comes from GetIntegrations when the emulator keeps it, else from `stackName`'s deployed
 * template (said in `subtypeSource`).
 */
export async function readHttpIntegrations(endpoint: string, apiId: string, stackName?: string): Promise<Record<string, DeployedHttpIntegration>> {
  const get = async (what: string) => {
    const r = await signedFetch(endpoint, 'apigateway', 'GET', `/v2/apis/${apiId}/${what}`, { accept: 'application/json' });
    if (r.status !== 200) throw new Error(`Get${what} ${apiId}: ${r.status} ${r.text.slice(0, 300)}`);
    const parsed = JSON.parse(r.text);
    return (parsed.items ?? parsed.Items ?? []) as Array<Record<string, any>>;
  };
  const integrations = new Map((await get('integrations')).map(i => [i.integrationId ?? i.IntegrationId, i]));
  const fromTemplate = [...integrations.values()].some(i => !(i.integrationSubtype ?? i.IntegrationSubtype)) && stackName
    ? await deployedSubtypes(endpoint, stackName) : new Map<string, string>();
  const out: Record<string, DeployedHttpIntegration> = {};
  for (const route of await get('routes')) {
    const key = route.routeKey ?? route.RouteKey;
    const target = String(route.target ?? route.Target ?? '');
    const i = integrations.get(target.replace(/^integrations\//, ''));
    if (!i) throw new Error(`route ${key} of ${apiId} targets ${target}, which GetIntegrations does not list`);
    const id = i.integrationId ?? i.IntegrationId;
    const stored = i.integrationSubtype ?? i.IntegrationSubtype;
    out[key] = {
      routeKey: key,
      integrationType: i.integrationType ?? i.IntegrationType,
      integrationSubtype: stored ?? fromTemplate.get(id),
      subtypeSource: stored ? 'GetIntegrations' : 'deployed stack template',
      requestParameters: i.requestParameters ?? i.RequestParameters ?? {},
      payloadFormatVersion: i.payloadFormatVersion ?? i.PayloadFormatVersion,
    };
  }
  return out;
}

/** A request as API Gateway sees it. */
export interface HttpModelRequest {
  readonly body: string;
  readonly headers?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly path?: Record<string, string>;
  readonly context?: Record<string, string>;
  readonly stageVariables?: Record<string, string>;
}

/** A request the model cannot map as API Gateway would: it fails loudly instead of guessing. */
export class HttpModelError extends Error {}

/** `$.a.b[0]` style JSONPath of a body field (dotted names and [n] indexes). */
function jsonPath(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.').flatMap(p => p.split(/\[(\d+)\]/).filter(x => x !== ''))) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/**
 * One parameter value mapped as API Gateway does: a static value, or exactly one of the
 * documented selection expressions. Anything else throws (the model does not guess).
 */
/** API Gateway truncates the body at 100 KB before it applies a `$request.body.<JSONPath>` expression (AWS docs, HTTP API parameter mapping). */
export const HTTP_BODY_JSON_PATH_LIMIT = 100 * 1024;

export function mapHttpParameter(name: string, written: string, request: HttpModelRequest): string {
  if (!written.includes('$')) return written;
  // `${request.header.name}` is the same selection as `$request.header.name` (AWS docs); a mix of text and expressions is not modelled.
  const braced = /^\$\{([^}]+)\}$/.exec(written);
  const expression = braced ? `$${braced[1]}` : written;
  const header = (h: string) => Object.entries(request.headers ?? {}).find(([k]) => k.toLowerCase() === h.toLowerCase())?.[1];
  let m: RegExpExecArray | null;
  const missing = (what: string): never => { throw new HttpModelError(`${name}: ${expression} selects ${what}, which the request does not have`); };
  if (expression === '$request.body') return request.body;
  if ((m = /^\$request\.body\.(.+)$/.exec(expression))) {
    if (Buffer.byteLength(request.body, 'utf8') > HTTP_BODY_JSON_PATH_LIMIT) {
      // AWS cuts the body at 100 KB and then applies the path; what it selects from a cut JSON text is not documented: not modelled.
      throw new HttpModelError(`${name}: ${expression} on a body of ${Buffer.byteLength(request.body, 'utf8')} bytes: API Gateway applies a JSON path to the first 100 KB only (send larger payloads with $request.body)`);
    }
    let body: unknown;
    try { body = JSON.parse(request.body); } catch { return missing('a field of a body that is not JSON'); }
    const value = jsonPath(body, m[1]);
    if (value === undefined) return missing(`body field ${m[1]}`);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  // Header names are case-insensitive (a repeated header arrives comma-joined, as fetch joins it too).
  if ((m = /^\$request\.header\.([A-Za-z0-9-_]+)$/.exec(expression))) return header(m[1]) ?? missing(`header ${m[1]}`);
  if ((m = /^\$request\.querystring\.(.+)$/.exec(expression))) return request.query?.[m[1]] ?? missing(`query parameter ${m[1]}`);
  if ((m = /^\$request\.path\.(.+)$/.exec(expression))) return request.path?.[m[1]] ?? missing(`path parameter ${m[1]}`);
  if ((m = /^\$context\.(.+)$/.exec(expression))) return request.context?.[m[1]] ?? missing(`context variable ${m[1]}`);
  if ((m = /^\$stageVariables\.(.+)$/.exec(expression))) return request.stageVariables?.[m[1]] ?? missing(`stage variable ${m[1]}`);
  throw new HttpModelError(`${name}: the model does not map ${JSON.stringify(expression)} (not one of the documented selection expressions)`);
}

/** The parameters each subtype takes (AWS "Integration subtype reference"), required first. */
const SUBTYPE_PARAMETERS: Record<string, { required: string[]; optional: string[] }> = {
  'SQS-SendMessage': { required: ['QueueUrl', 'MessageBody'], optional: ['DelaySeconds', 'MessageAttributes', 'MessageDeduplicationId', 'MessageGroupId', 'MessageSystemAttributes', 'Region'] },
  'Kinesis-PutRecord': { required: ['StreamName', 'Data', 'PartitionKey'], optional: ['SequenceNumberForOrdering', 'ExplicitHashKey', 'Region'] },
  'EventBridge-PutEvents': { required: ['Detail', 'DetailType', 'Source'], optional: ['Time', 'EventBusName', 'Resources', 'Region', 'TraceHeader'] },
  'StepFunctions-StartExecution': { required: ['StateMachineArn'], optional: ['Name', 'Input', 'Region'] },
};

/** Base64 as Kinesis's JSON protocol reads a blob: the alphabet, padding, length a multiple of 4. */
export function isStrictBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/** What the model did with one request. */
export interface HttpModelResponse {
  /** The backend accepted the request (API Gateway would answer 200 with the service's answer). */
  readonly accepted: boolean;
  /** The service's answer (accepted) or its error (refused), as the SDK returned it. */
  readonly backend: Record<string, unknown>;
  /** The parameters after mapping: what API Gateway would send. */
  readonly mapped: Record<string, string>;
  readonly requestId: string;
}

/** The SDK clients the HTTP model calls (MiniStack's services). */
export interface HttpModelClients {
  readonly sqs: SQSClient;
  readonly kinesis: KinesisClient;
  readonly eventBridge: EventBridgeClient;
  readonly stepFunctions: SFNClient;
}

/**
 * One request through an HTTP API first-class integration, per the deployed configuration: map
 * the request parameters, apply the checks the real service makes that MiniStack skips (Kinesis
 * reads Data as base64; EventBridge wants Detail to be a JSON object; Step Functions wants Input
 * to be JSON), then call MiniStack's service with the SDK.
 */
export async function invokeHttpThroughModel(clients: HttpModelClients, integration: DeployedHttpIntegration,
  request: HttpModelRequest): Promise<HttpModelResponse> {
  const requestId = request.context?.requestId ?? randomUUID();
  const req = { ...request, context: { requestId, ...request.context } };
  if (integration.integrationType !== 'AWS_PROXY') throw new HttpModelError(`${integration.routeKey}: integration type ${integration.integrationType}, not AWS_PROXY`);
  const spec = SUBTYPE_PARAMETERS[integration.integrationSubtype];
  if (!spec) throw new HttpModelError(`${integration.routeKey}: the model does not handle integration subtype ${integration.integrationSubtype}`);
  const unknown = Object.keys(integration.requestParameters).filter(k => ![...spec.required, ...spec.optional].includes(k));
  if (unknown.length > 0) throw new HttpModelError(`${integration.routeKey}: ${integration.integrationSubtype} has no parameter ${unknown.join(', ')}`);
  const absent = spec.required.filter(k => integration.requestParameters[k] === undefined);
  if (absent.length > 0) throw new HttpModelError(`${integration.routeKey}: ${integration.integrationSubtype} needs ${absent.join(', ')}`);
  const p: Record<string, string> = {};
  for (const [k, v] of Object.entries(integration.requestParameters)) {
    if (k === 'Region') continue; // the client's region: MiniStack has one
    p[k] = mapHttpParameter(k, v, req);
  }
  const refused = (code: string, message: string): HttpModelResponse => ({ accepted: false, backend: { code, message }, mapped: p, requestId });
  const strip = (o: Record<string, unknown>) => { const { $metadata, ...rest } = o; return rest; };
  try {
    switch (integration.integrationSubtype) {
      case 'SQS-SendMessage': {
        const out = await clients.sqs.send(new SendMessageCommand({
          QueueUrl: p.QueueUrl,
          MessageBody: p.MessageBody,
          MessageGroupId: p.MessageGroupId,
          MessageDeduplicationId: p.MessageDeduplicationId,
          DelaySeconds: p.DelaySeconds === undefined ? undefined : Number(p.DelaySeconds),
        }));
        return { accepted: true, backend: strip(out as any), mapped: p, requestId };
      }
      case 'Kinesis-PutRecord': {
        // Kinesis's JSON protocol carries Data as base64 and decodes it; API Gateway passes the mapped
        // value as it is (MiniStack's Kinesis stores a non-base64 Data anyway: AWS refuses it).
        if (!isStrictBase64(p.Data)) return refused('SerializationException', `Data is not base64 (${p.Data.length} characters): Kinesis cannot decode it`);
        const out = await clients.kinesis.send(new PutRecordCommand({
          StreamName: p.StreamName,
          Data: Buffer.from(p.Data, 'base64'),
          PartitionKey: p.PartitionKey,
          ExplicitHashKey: p.ExplicitHashKey,
          SequenceNumberForOrdering: p.SequenceNumberForOrdering,
        }));
        return { accepted: true, backend: strip(out as any), mapped: p, requestId };
      }
      case 'EventBridge-PutEvents': {
        let detail: unknown;
        try { detail = JSON.parse(p.Detail); } catch { detail = undefined; }
        if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
          // PutEvents answers 200 with the entry failed (MalformedDetail), as AWS documents.
          return { accepted: true, backend: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' }] }, mapped: p, requestId };
        }
        const out = await clients.eventBridge.send(new PutEventsCommand({
          Entries: [{
            EventBusName: p.EventBusName,
            Source: p.Source,
            DetailType: p.DetailType,
            Detail: p.Detail,
            Time: p.Time ? new Date(p.Time) : undefined,
            TraceHeader: p.TraceHeader,
          }],
        }));
        return { accepted: true, backend: strip(out as any), mapped: p, requestId };
      }
      default: { // StepFunctions-StartExecution
        if (p.Input !== undefined) {
          try { JSON.parse(p.Input); } catch { return refused('InvalidExecutionInput', 'Input is not JSON'); }
        }
        const out = await clients.stepFunctions.send(new StartExecutionCommand({ stateMachineArn: p.StateMachineArn, name: p.Name, input: p.Input }));
        return { accepted: true, backend: strip(out as any), mapped: p, requestId };
      }
    }
  } catch (err) {
    if (err instanceof HttpModelError) throw err;
    const e = err as { name?: string; message?: string };
    return refused(e.name ?? 'Error', e.message ?? String(err));
  }
}
