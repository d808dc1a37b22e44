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
import { createHash, createHmac, randomUUID } from 'crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { LOCAL_REGION } from './deploy';
import { renderRequestTemplate, renderResponseTemplate } from '../../test/support/api-gateway-vtl';

/** Printed beside every result the model produced, so nobody mistakes it for the emulator's API Gateway. */
export const MODEL_LABEL = '[integration model: deployed template rendered by velocityjs, sent to MiniStack]';

type Source = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Source): Buffer => typeof data === 'string' ? Buffer.from(data)
  : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

class Sha256 {
  private hash;
  constructor(private readonly secret?: Source) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: Source): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac('sha256', bytes(this.secret)) : createHash('sha256');
  }
}

/** A SigV4-signed request to the emulator. */
export async function signedFetch(endpoint: string, service: string, method: string, path: string,
  headers: Record<string, string>, body?: string): Promise<{ status: number; text: string }> {
  const url = new URL(`${endpoint}${path}`);
  const signer = new SignatureV4({ service, region: LOCAL_REGION, credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, sha256: Sha256 });
  const query = Object.fromEntries(url.searchParams.entries());
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host, ...headers },
    body,
  });
  const res = await fetch(url, { method, headers: signed.headers, body });
  return { status: res.status, text: await res.text() };
}

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
