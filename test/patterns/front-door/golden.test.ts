/**
 * Golden tests: EVERY mapping template the front door synthesizes (read back from the template,
 * not from the source) is rendered with velocityjs and the documented $input/$util/$context shim
 * over the adversarial corpus; each result must be a valid backend request carrying the body
 * unchanged. Response templates are rendered over the backends' answers (success, partial
 * failure, failure) and must be valid JSON with the right status.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { backends } from './fixtures';
import { FrontDoor, FrontDoorRoute, FrontDoorValue, IngestApiStack } from '../../../src';
import { newStack } from '../../support';
import { ADVERSARIAL_PAYLOADS, AdversarialPayload } from '../../support/adversarial-payloads';
import { renderRequestTemplate, renderResponseTemplate } from '../../support/api-gateway-vtl';

const REQUEST_ID = 'c0ffee00-0000-4000-8000-000000000001';
/** Hostile but allowed by the route's model (printable ASCII, 1-128): what a string field the route reads may hold. */
const KEY_VALUE = 'O\'Brien"\\&=+%#{}$x<>/`;';
const HEADER_VALUE = 'hdr\'"\\&=+%é ü';

/** A rendered method: the request template with what the route reads, and the integration responses. */
interface SynthesizedMethod {
  readonly id: string;
  readonly uri: string;
  readonly requestTemplate: string;
  readonly bodyFields: string[];
  readonly batch: boolean;
  readonly headers: string[];
  readonly responses: Array<{ statusCode: string; selectionPattern?: string; template: string }>;
}

/** Every POST/PUT/PATCH method of the stack, with CloudFormation intrinsics resolved to readable placeholders. */
export function synthesizedMethods(stack: Stack): SynthesizedMethod[] {
  const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
  return Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::ApiGateway::Method' && r.Properties.HttpMethod !== 'OPTIONS')
    .map(([id, r]) => {
      const integration = resolve(r.Properties.Integration);
      const model = resources[r.Properties.RequestModels['application/json'].Ref].Properties.Schema;
      const batch = model.properties?.records?.type === 'array';
      const itemSchema = batch ? model.properties.records.items : model;
      return {
        id,
        uri: integration.Uri,
        requestTemplate: integration.RequestTemplates['application/json'],
        bodyFields: stringFieldsOf(itemSchema),
        batch,
        headers: Object.keys(r.Properties.RequestParameters ?? {}).map(k => k.replace('method.request.header.', '')),
        responses: integration.IntegrationResponses.map((x: any) => ({ statusCode: x.StatusCode, selectionPattern: x.SelectionPattern, template: x.ResponseTemplates['application/json'] })),
      };
    });
}

function stringFieldsOf(schema: any, prefix = ''): string[] {
  return (schema.required ?? []).flatMap((name: string) => {
    const p = schema.properties?.[name];
    if (p?.type === 'string' && p.pattern === '^[!-~]+$') return [`${prefix}${name}`];
    if (p?.type === 'object') return stringFieldsOf(p, `${prefix}${name}.`);
    return [];
  });
}

function resolve(v: any): any {
  if (Array.isArray(v)) return v.map(resolve);
  if (v && typeof v === 'object') {
    if ('Fn::Join' in v) return v['Fn::Join'][1].map(resolve).join(v['Fn::Join'][0]);
    if ('Ref' in v) return v.Ref === 'AWS::Partition' ? 'aws' : v.Ref === 'AWS::Region' ? 'us-east-1' : v.Ref === 'AWS::AccountId' ? '111111111111' : `name-of-${v.Ref}`;
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'];
      return attr === 'Arn' ? `arn:aws:svc:us-east-1:111111111111:thing/${id}` : `${attr}-of-${id}`;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, resolve(x)]));
  }
  return v;
}

function setField(body: Record<string, any>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at = body;
  for (const p of parts.slice(0, -1)) at = at[p] = (typeof at[p] === 'object' && at[p] !== null && !Array.isArray(at[p]) ? at[p] : {});
  at[parts[parts.length - 1]] = value;
}

/** The request a caller sends that the route's model accepts: the payload, with the fields and headers the route reads. */
function requestFor(m: SynthesizedMethod, payload: AdversarialPayload) {
  const headers = Object.fromEntries(m.headers.map(h => [h, HEADER_VALUE]));
  if (m.batch) {
    const records = [0, 1, 2].map(i => {
      const r = JSON.parse(payload.body);
      for (const f of m.bodyFields) setField(r, f, `${KEY_VALUE}${i}`);
      return r;
    });
    return { body: JSON.stringify({ records }), headers };
  }
  if (m.bodyFields.length === 0) return { body: payload.body, headers };
  const b = JSON.parse(payload.body);
  for (const f of m.bodyFields) setField(b, f, KEY_VALUE);
  return { body: JSON.stringify(b), headers };
}

/** Checks the rendered request is what the backend's API accepts, carrying the body unchanged. Returns the backend name. */
function checkBackendRequest(m: SynthesizedMethod, request: { body: string; headers: Record<string, string> }, output: string): string {
  const value = (source: string | undefined) => source === undefined ? undefined : source;
  if (m.uri.includes(':sqs:path/')) {
    const params = new URLSearchParams(output);
    const keys = [...params.keys()];
    expect(params.get('Action')).toBe('SendMessage');
    expect(params.getAll('Action')).toHaveLength(1);
    expect(params.get('MessageBody')).toBe(request.body);
    if (keys.includes('MessageGroupId')) {
      expect(keys.sort()).toEqual(['Action', 'MessageBody', 'MessageDeduplicationId', 'MessageGroupId']);
      expect([KEY_VALUE, HEADER_VALUE]).toContain(params.get('MessageGroupId'));
      expect([KEY_VALUE, HEADER_VALUE, REQUEST_ID]).toContain(params.get('MessageDeduplicationId'));
    } else {
      expect(keys.sort()).toEqual(['Action', 'MessageBody']);
    }
    return 'SQS SendMessage';
  }
  const json = JSON.parse(output);
  if (m.uri.endsWith(':kinesis:action/PutRecord')) {
    expect(Object.keys(json).sort()).toEqual(['Data', 'PartitionKey', 'StreamName']);
    expect(Buffer.from(json.Data, 'base64').toString('utf8')).toBe(request.body);
    expect([KEY_VALUE, HEADER_VALUE, REQUEST_ID]).toContain(value(json.PartitionKey));
    return 'Kinesis PutRecord';
  }
  if (m.uri.endsWith(':kinesis:action/PutRecords')) {
    const sent = JSON.parse(request.body).records;
    expect(json.Records).toHaveLength(sent.length);
    json.Records.forEach((r: any, i: number) => {
      expect(Object.keys(r).sort()).toEqual(['Data', 'PartitionKey']);
      expect(JSON.parse(Buffer.from(r.Data, 'base64').toString('utf8'))).toEqual(sent[i]);
      expect(r.PartitionKey).toBe(`${KEY_VALUE}${i}`);
    });
    return 'Kinesis PutRecords';
  }
  if (m.uri.endsWith(':events:action/PutEvents')) {
    expect(json.Entries).toHaveLength(1);
    const e = json.Entries[0];
    expect(Object.keys(e).sort()).toEqual(['Detail', 'DetailType', 'EventBusName', 'Source']);
    expect(typeof e.Detail).toBe('string');
    expect(JSON.parse(e.Detail)).toEqual(JSON.parse(request.body));
    return 'EventBridge PutEvents';
  }
  if (/:(sync-states\.)?states:action\/Start(Sync)?Execution$/.test(m.uri)) {
    expect(Object.keys(json).sort()).toEqual(['input', 'name', 'stateMachineArn']);
    expect(json.name).toBe(REQUEST_ID);
    expect(JSON.parse(json.input)).toEqual(JSON.parse(request.body));
    return m.uri.endsWith('StartSyncExecution') ? 'Step Functions StartSyncExecution' : 'Step Functions StartExecution';
  }
  throw new Error(`no check for the integration ${m.uri}`);
}

/** A door with every route variant the library can synthesize on REST. */
function everyRouteVariant(): Stack {
  const stack = newStack();
  const b = backends(stack);
  new FrontDoor(stack, 'Door', {
    routes: [
      FrontDoorRoute.toQueue({ path: 'queue', queue: b.queue }),
      FrontDoorRoute.toQueue({ path: 'fifo/body', queue: b.fifoQueue, messageGroupId: FrontDoorValue.bodyField('customer.id'), deduplicationId: FrontDoorValue.bodyField('orderId') }),
      FrontDoorRoute.toQueue({ path: 'fifo/header', queue: b.fifoQueue, messageGroupId: FrontDoorValue.header('X-Group-Id') }),
      FrontDoorRoute.toStream({ path: 'stream/body', stream: b.stream, partitionKey: FrontDoorValue.bodyField('sessionId') }),
      FrontDoorRoute.toStream({ path: 'stream/header', stream: b.stream, partitionKey: FrontDoorValue.header('X-Partition-Key') }),
      FrontDoorRoute.toStream({ path: 'stream/request-id', stream: b.stream, partitionKey: FrontDoorValue.requestId() }),
      FrontDoorRoute.toStream({ path: 'stream/batch', stream: b.stream, partitionKey: FrontDoorValue.bodyField('deviceId'), batch: true }),
      FrontDoorRoute.toEventBus({ path: 'bus', eventBus: b.bus, source: 'shop.web', detailType: 'Order Placed' }),
      FrontDoorRoute.toWorkflow({ path: 'workflow', stateMachine: b.standard }),
      FrontDoorRoute.toWorkflow({ path: 'workflow/sync', stateMachine: b.express, synchronous: true }),
    ],
  });
  return stack;
}

const variants = synthesizedMethods(everyRouteVariant());
const ingestApi = synthesizedMethods(new IngestApiStack(new App(), 'IngestApi', { env: { account: '111111111111', region: 'us-east-1' } }));
const methods = [...variants, ...ingestApi.map(m => ({ ...m, id: `IngestApiStack/${m.id}` }))];

describe('golden: every synthesized request template x every adversarial payload = a valid backend request', () => {
  test('the door synthesized all 10 route variants; the IngestApiStack its 4 routes', () => {
    expect(variants).toHaveLength(10);
    expect(ingestApi).toHaveLength(4);
  });

  test.each(methods.map(m => [m.id, m] as const))('%s', (_id, m) => {
    const seen = new Set<string>();
    for (const payload of ADVERSARIAL_PAYLOADS) {
      const request = requestFor(m, payload);
      const { output } = renderRequestTemplate(m.requestTemplate, { ...request, context: { requestId: REQUEST_ID } });
      try {
        seen.add(checkBackendRequest(m, request, output));
      } catch (err) {
        throw new Error(`payload "${payload.name}" broke ${m.id}: ${(err as Error).message}\nrendered (first 600 chars): ${output.slice(0, 600)}`);
      }
    }
    expect(seen.size).toBe(1);
  });
});

/** What each backend answers, keyed by the success template's first distinctive path. */
const HOSTILE_OUTPUT = JSON.parse(ADVERSARIAL_PAYLOADS.find(p => p.name === 'every hostile character in one string')!.body);
const ANSWERS: Array<{ when: string; answer: unknown; status?: number; expect: (out: any) => void }> = [
  { when: 'SendMessageResult', answer: { SendMessageResponse: { SendMessageResult: { MessageId: 'm-1', SequenceNumber: '18' } } }, expect: o => expect(o.messageId).toBe('m-1') },
  { when: '$.ShardId', answer: { SequenceNumber: '4960', ShardId: 'shardId-000000000000' }, expect: o => expect(o).toEqual({ sequenceNumber: '4960', shardId: 'shardId-000000000000' }) },
  { when: 'FailedRecordCount', answer: { FailedRecordCount: 0, Records: [{ SequenceNumber: '1', ShardId: 's' }] }, expect: o => expect(o.records).toHaveLength(1) },
  { when: 'FailedRecordCount', answer: { FailedRecordCount: 1, Records: [{ SequenceNumber: '1', ShardId: 's' }, { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow "down"' }] }, status: 500, expect: o => expect(o.failedRecordCount).toBe(1) },
  { when: 'FailedEntryCount', answer: { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] }, expect: o => expect(o).toEqual({ eventId: 'e-1' }) },
  { when: 'FailedEntryCount', answer: { FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'it\'s "broken"' }] }, status: 500, expect: o => expect(o.errorCode).toBe('InternalFailure') },
  { when: '$.startDate', answer: { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:sm:r1', startDate: 1796126400.123 }, expect: o => expect(o.executionArn).toMatch(/^arn:aws:states:/) },
  { when: '$.status', answer: { executionArn: 'arn:x', status: 'SUCCEEDED', output: JSON.stringify(HOSTILE_OUTPUT) }, expect: o => expect(o).toEqual(HOSTILE_OUTPUT) },
  { when: '$.status', answer: { executionArn: 'arn:x', status: 'FAILED', error: 'Oops', cause: 'it\'s "bad"' }, status: 500, expect: o => expect(o.executionArn).toBe('arn:x') },
  { when: '$.status', answer: { executionArn: 'arn:x', status: 'TIMED_OUT' }, status: 504, expect: o => expect(o.executionArn).toBe('arn:x') },
];

describe('golden: the checks can fail', () => {
  const bus = methods.find(m => m.uri.endsWith(':events:action/PutEvents'))!;
  const apostrophe = ADVERSARIAL_PAYLOADS.find(p => p.name === 'apostrophes')!;

  test('a bus route that used $util.escapeJavaScript alone (AWS\'s documented trap) is caught: \\\' is invalid JSON', () => {
    const naive = { ...bus, requestTemplate: bus.requestTemplate.replace('.replaceAll("\\\\\'","\'")', '') };
    expect(naive.requestTemplate).not.toBe(bus.requestTemplate);
    const request = requestFor(naive, apostrophe);
    const { output } = renderRequestTemplate(naive.requestTemplate, request);
    expect(() => checkBackendRequest(naive, request, output)).toThrow(/JSON/);
  });

  test('a queue route whose body was not URL-encoded is caught (the body would be cut at &)', () => {
    const queue = methods.find(m => m.uri.includes(':sqs:path/') && !m.requestTemplate.includes('MessageGroupId'))!;
    const raw = { ...queue, requestTemplate: queue.requestTemplate.replace('$util.urlEncode($input.body)', '$input.body') };
    const request = requestFor(raw, ADVERSARIAL_PAYLOADS.find(p => p.name === 'query-string injection')!);
    expect(() => checkBackendRequest(raw, request, renderRequestTemplate(raw.requestTemplate, request).output)).toThrow();
  });
});

describe('golden: every synthesized response template over the backends\' answers', () => {
  test.each(methods.map(m => [m.id, m] as const))('%s', (_id, m) => {
    const success = m.responses.find(r => r.selectionPattern === undefined)!;
    const answers = ANSWERS.filter(a => success.template.includes(a.when));
    expect(answers.length).toBeGreaterThan(0);
    for (const a of answers) {
      const r = renderResponseTemplate(success.template, JSON.stringify(a.answer));
      expect({ answer: a.answer, status: r.statusOverride }).toEqual({ answer: a.answer, status: a.status });
      a.expect(JSON.parse(r.output));
    }
    // The backend refused (4xx) or failed (5xx): never a 2xx or 4xx to the caller, always JSON.
    for (const r of m.responses.filter(x => x.selectionPattern !== undefined)) {
      expect(r.statusCode).toMatch(/^5\d\d$/);
      expect(JSON.parse(renderResponseTemplate(r.template, '{"__type":"AccessDeniedException","message":"no"}').output).requestId).toBe(REQUEST_ID);
    }
  });
});
