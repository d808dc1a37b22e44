/**
 * Renders API Gateway mapping templates (VTL) offline: velocityjs with a shim of `$input`,
 * `$util` and `$context` written from AWS's API Gateway documentation ("Variables for data
 * transformations" / "$util variables"), so tests can render every template the library
 * synthesizes with hostile payloads and check that the result is a valid backend request.
 *
 * Where AWS's behaviour is Java's (API Gateway runs Apache Velocity on the JVM), the shim follows
 * Java: strings the shim hands to a template are {@link JavaString}s with Java's `replaceAll`
 * (a regular expression, as in the documented `.replaceAll("\\'","'")` fix), `contains`,
 * `length()`…; `$util.escapeJavaScript` follows commons-lang `escapeJavaScript` (the documented
 * "turns ' into \'", plus `/` → `\/`, non-ASCII → `\uXXXX`); `$util.urlEncode` is Java's
 * `URLEncoder` (space → `+`). A missing JSONPath (or JSON null) gives no value from `$input.path`, which renders
 * as the literal reference (Velocity's rule) — a template that depends on an absent field shows
 * up as invalid output instead of passing silently.
 */
import { render } from 'velocityjs';

/** An HTTP request as API Gateway hands it to a request mapping template. */
export interface VtlRequest {
  /** The raw request body, exactly as sent. */
  readonly body: string;
  /** Request headers (names are matched case-insensitively, as API Gateway does). */
  readonly headers?: Record<string, string>;
  /** Path parameters. */
  readonly pathParameters?: Record<string, string>;
  /** Query string parameters. */
  readonly queryString?: Record<string, string>;
  /** Values of `$context` to override (requestId, stage, identity…). */
  readonly context?: Record<string, unknown>;
}

/** What rendering a template produced: the text and anything the template set on `$context`. */
export interface VtlResult {
  /** The rendered text (the backend request, or the client response). */
  readonly output: string;
  /** `$context.responseOverride.status` if the template set it. */
  readonly statusOverride?: number;
  /** `$context.requestOverride.header.*` / `responseOverride.header.*` the template set. */
  readonly headerOverrides: Record<string, string>;
}

/** A Java `String` as a template sees it (toString for output, Java's methods for calls). */
export class JavaString {
  constructor(private readonly value: string) {}
  public toString(): string { return this.value; }
  public valueOf(): string { return this.value; }
  public toJSON(): string { return this.value; }
  /** Java `String.replaceAll(regex, replacement)`: regex semantics, `$n` groups, `\` escapes in the replacement. */
  public replaceAll(regex: unknown, replacement: unknown): JavaString {
    const re = new RegExp(String(regex), 'gu');
    const jsReplacement = String(replacement).replace(/\\(.)|\$(\d)|\$/g, (_m, escaped: string | undefined, group: string | undefined) =>
      escaped !== undefined ? (escaped === '$' ? '$$' : escaped) : group !== undefined ? `$${group}` : '$$');
    return new JavaString(this.value.replace(re, jsReplacement));
  }
  /** Java `String.replace(target, replacement)`: literal, every occurrence. */
  public replace(target: unknown, replacement: unknown): JavaString {
    return new JavaString(this.value.split(String(target)).join(String(replacement)));
  }
  public contains(s: unknown): boolean { return this.value.includes(String(s)); }
  public length(): number { return this.value.length; }
  public isEmpty(): boolean { return this.value.length === 0; }
  public toLowerCase(): JavaString { return new JavaString(this.value.toLowerCase()); }
  public toUpperCase(): JavaString { return new JavaString(this.value.toUpperCase()); }
  public trim(): JavaString { return new JavaString(this.value.trim()); }
  public equals(other: unknown): boolean { return String(other) === this.value; }
  public startsWith(s: unknown): boolean { return this.value.startsWith(String(s)); }
  public substring(from: number, to?: number): JavaString { return new JavaString(this.value.substring(from, to)); }
}

/** Renders a request mapping template the way API Gateway does for `request`. */
export function renderRequestTemplate(template: string, request: VtlRequest): VtlResult {
  return renderWith(template, request.body, request);
}

/**
 * Renders an integration response template over the backend's answer `backendBody`
 * (`$input` is the backend's response there).
 */
export function renderResponseTemplate(template: string, backendBody: string, request?: Omit<VtlRequest, 'body'>): VtlResult {
  return renderWith(template, backendBody, { body: backendBody, ...request });
}

function renderWith(template: string, body: string, request: VtlRequest): VtlResult {
  const requestOverride = { header: {} as Record<string, unknown>, querystring: {}, path: {} };
  const responseOverride = { header: {} as Record<string, unknown>, status: undefined as unknown };
  const context = {
    requestId: 'c0ffee00-0000-4000-8000-000000000001',
    extendedRequestId: 'AbCdEfGhIjKlMnO=',
    accountId: '111111111111',
    apiId: 'abc123defg',
    stage: 'prod',
    httpMethod: 'POST',
    resourcePath: '/',
    path: '/prod/',
    protocol: 'HTTP/1.1',
    requestTime: '01/Dec/2026:12:00:00 +0000',
    requestTimeEpoch: 1796126400000,
    domainName: 'abc123defg.execute-api.us-east-1.amazonaws.com',
    identity: { sourceIp: '192.0.2.1', userAgent: 'golden-test', caller: null, user: null, userArn: null, apiKey: null },
    authorizer: {},
    ...request.context,
    requestOverride,
    responseOverride,
  };
  const output = render(template, { input: inputOf(body, request), util, context }, undefined, { escape: false });
  const status = responseOverride.status;
  const headerOverrides: Record<string, string> = {};
  for (const [k, v] of [...Object.entries(requestOverride.header), ...Object.entries(responseOverride.header)]) headerOverrides[k] = String(v);
  return { output, statusOverride: status === undefined ? undefined : Number(String(status)), headerOverrides };
}

function inputOf(body: string, request: VtlRequest) {
  let parsed: unknown;
  let parseError: Error | undefined;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch (err) {
    parseError = err as Error;
  }
  const parsedBody = () => {
    // API Gateway fails the request (500, "Invalid JSON in request body") when a template reads a non-JSON body as JSON.
    if (parseError) throw new Error(`$input.json/$input.path on a body that is not JSON: ${parseError.message}`);
    return parsed;
  };
  const header = lowerKeys(request.headers ?? {});
  const params = { path: { ...request.pathParameters }, querystring: { ...request.queryString }, header: { ...request.headers } };
  return {
    /** The raw payload as a string. */
    body: new JavaString(body),
    /** JSONPath → the value as a JSON string. */
    json: (path: unknown) => {
      const value = jsonPath(parsedBody(), String(path));
      return new JavaString(value === undefined ? '' : JSON.stringify(value));
    },
    /** JSONPath → the value as an object (strings as Java strings), null when absent. */
    path: (path: unknown) => toVtl(jsonPath(parsedBody(), String(path))),
    /** All parameters (no argument) or one, looked up in path, query string, then headers. */
    params: (name?: unknown) => {
      if (name === undefined) return params;
      const key = String(name);
      const found = params.path[key] ?? params.querystring[key] ?? header[key.toLowerCase()];
      return found === undefined ? new JavaString('') : new JavaString(found);
    },
  };
}

/** `$util`, as documented for API Gateway mapping templates. */
export const util = {
  escapeJavaScript: (s: unknown) => new JavaString(escapeJavaScript(String(s ?? ''))),
  parseJson: (s: unknown) => toVtl(JSON.parse(String(s))),
  urlEncode: (s: unknown) => new JavaString(javaUrlEncode(String(s ?? ''))),
  urlDecode: (s: unknown) => new JavaString(decodeURIComponent(String(s ?? '').replace(/\+/g, ' '))),
  base64Encode: (s: unknown) => new JavaString(Buffer.from(String(s ?? ''), 'utf8').toString('base64')),
  base64Decode: (s: unknown) => new JavaString(Buffer.from(String(s ?? ''), 'base64').toString('utf8')),
};

/**
 * commons-lang `StringEscapeUtils.escapeJavaScript`: `'` → `\'`, `"` → `\"`, `\` → `\\`, `/` → `\/`,
 * control characters as `\b \t \n \f \r` or `\u00XX`, every UTF-16 unit above 0x7F as `\uXXXX`.
 */
export function escapeJavaScript(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const ch = s[i];
    if (code > 0x7f) {out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;} else if (code < 0x20) {
      const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      out += named[code] ?? `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    } else if (ch === '\'' || ch === '"' || ch === '\\' || ch === '/') {out += `\\${ch}`;} else {out += ch;}
  }
  return out;
}

/** Java `URLEncoder.encode(s, "UTF-8")`: letters, digits and `.-*_` stay, space is `+`, the rest `%XX` of UTF-8. */
export function javaUrlEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The JSONPath subset mapping templates use: `$`, `$.a.b`, `$['a b']`, `$.a[0]`, `$.a[0].b`. */
export function jsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new Error(`JSONPath must start with $: ${path}`);
  const tokens: Array<string | number> = [];
  const re = /\.([A-Za-z0-9_$-]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < path.length) {
    const m = re.exec(path);
    if (!m) throw new Error(`unsupported JSONPath: ${path}`);
    tokens.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[4])));
  }
  let value: unknown = root;
  for (const t of tokens) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[t];
  }
  return value;
}

function toVtl(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return new JavaString(value);
  if (Array.isArray(value)) return value.map(toVtl);
  if (typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toVtl(v)]));
  return value;
}

function lowerKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
