/**
 * SigV4-signed calls to the emulator for the two APIs the project has no SDK v3 client for
 * (EventBridge Scheduler, CloudWatch Logs): the same wire requests the SDK would send, signed
 * with @smithy/signature-v4 so MiniStack routes them by credential scope as it does the SDK's.
 */
import { localSigner } from './sigv4';

export interface SignedResponse {
  readonly status: number;
  readonly body: any;
}

interface SignedRequest {
  readonly service: string;
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

async function send(endpoint: string, r: SignedRequest): Promise<SignedResponse> {
  const url = new URL(endpoint);
  const signer = localSigner(endpoint, r.service);
  const signed = await signer.sign({
    method: r.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: r.path,
    query: r.query ?? {},
    headers: { host: url.host, ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}), ...r.headers },
    body: r.body,
  });
  const qs = new URLSearchParams(r.query ?? {}).toString();
  const res = await fetch(`${url.origin}${r.path}${qs ? `?${qs}` : ''}`, { method: r.method, headers: signed.headers, body: r.body });
  const text = await res.text();
  let body: unknown = text;
  try { body = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
  return { status: res.status, body };
}

function ok(what: string, r: SignedResponse): any {
  if (r.status < 200 || r.status >= 300) throw new Error(`${what}: HTTP ${r.status}: ${typeof r.body === 'string' ? r.body : JSON.stringify(r.body)}`);
  return r.body;
}

/** The schedule as GetSchedule returns it (the fields the tests use). */
export interface ScheduleDescription {
  readonly Name: string;
  readonly GroupName: string;
  readonly Arn: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly State: string;
  readonly Target: {
    readonly Arn: string;
    readonly RoleArn: string;
    readonly Input?: string;
    readonly RetryPolicy?: { readonly MaximumRetryAttempts?: number; readonly MaximumEventAgeInSeconds?: number };
    readonly DeadLetterConfig?: { readonly Arn?: string };
    readonly [key: string]: unknown;
  };
  readonly [key: string]: unknown;
}

/** EventBridge Scheduler's REST API (GetSchedule, CreateSchedule, DeleteSchedule). */
export class SchedulerApi {
  constructor(private readonly endpoint: string) {}

  /** The schedule, or undefined when it does not exist (404). */
  public async getSchedule(name: string, groupName: string): Promise<ScheduleDescription | undefined> {
    const r = await send(this.endpoint, { service: 'scheduler', method: 'GET', path: `/schedules/${encodeURIComponent(name)}`, query: { groupName } });
    if (r.status === 404) return undefined;
    return ok(`GetSchedule ${groupName}/${name}`, r) as ScheduleDescription;
  }

  /** CreateSchedule with the body as the API takes it (GroupName, ScheduleExpression, Target, ...). */
  public async createSchedule(name: string, body: Record<string, unknown>): Promise<string> {
    const r = await send(this.endpoint, { service: 'scheduler', method: 'POST', path: `/schedules/${encodeURIComponent(name)}`, body: JSON.stringify({ ClientToken: `${name}-${Date.now()}`, ...body }) });
    return (ok(`CreateSchedule ${name}`, r) as { ScheduleArn: string }).ScheduleArn;
  }

  public async deleteSchedule(name: string, groupName: string): Promise<void> {
    await send(this.endpoint, { service: 'scheduler', method: 'DELETE', path: `/schedules/${encodeURIComponent(name)}`, query: { groupName } });
  }
}

/** CloudWatch Logs FilterLogEvents: the messages of a log group since `startTime` (epoch ms). */
export async function logMessages(endpoint: string, logGroupName: string, startTime: number): Promise<string[]> {
  const messages: string[] = [];
  let nextToken: string | undefined;
  do {
    const r = await send(endpoint, {
      service: 'logs',
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.FilterLogEvents' },
      body: JSON.stringify({ logGroupName, startTime, nextToken }),
    });
    if (r.status === 400 && JSON.stringify(r.body).includes('ResourceNotFound')) return messages;
    const page = ok(`FilterLogEvents ${logGroupName}`, r) as { events?: Array<{ message: string }>; nextToken?: string };
    messages.push(...(page.events ?? []).map(e => e.message));
    nextToken = page.nextToken;
  } while (nextToken);
  return messages;
}
