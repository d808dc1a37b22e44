/**
 * A small, documented implementation of the APPSYNC_JS runtime semantics the shipped resolvers
 * rely on, so they can run here: `@aws-appsync/utils` is types only, and no local emulator runs
 * APPSYNC_JS resolvers with AppSync's DynamoDB semantics (MiniStack ignores conditions; the
 * amplify simulator runs only VTL). Every behaviour below is taken from AWS's AppSync developer
 * guide ("JavaScript resolvers overview", "Built-in utilities", "Runtime utilities", "DynamoDB
 * JavaScript resolver function reference", "Condition expressions"); each is cited where it is
 * implemented. This is a MODEL of AppSync, used for unit tests and for the labelled local proof.
 *
 * What is modelled:
 * - unit resolver flow: `request(ctx)` → data source → `ctx.result` / `ctx.error` → `response(ctx)`;
 *   `ctx.args` and `ctx.arguments` are the same object; `ctx.stash` survives from request to response.
 * - `util.error(message, type, data, info)` stops the handler and the field resolves to null with
 *   that error; `util.appendError` records an error and lets the handler go on.
 * - `util.dynamodb.toDynamoDB` / `toMapValues` (strings → S, numbers → N as a string, booleans →
 *   BOOL, null → NULL, arrays → L, objects → M), `util.time.*`, `util.autoId`, `util.isNull`.
 * - the shipped code runs in a fresh V8 context with no Node globals and no `Date`, as a module
 *   whose only import is `@aws-appsync/utils`.
 */
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { buildSync, transformSync } from 'esbuild';

/** Where the shipped resolver sources live. */
export const RESOLVER_SOURCE_DIR = path.join(__dirname, '..', '..', '..', 'lambda', 'appsync-resolvers');

/** The name of the constant the construct prepends (`const __RESOLVER_CONFIG__ = {...};`). */
export const CONFIG_GLOBAL = '__RESOLVER_CONFIG__';

/**
 * The esbuild options of the `bundle:appsync-resolvers` task in .projenrc.ts (a contract test
 * compares the two), so tests run what the package ships.
 */
export const BUNDLE_ARGS = ['--bundle', '--format=esm', '--target=es2020', '--platform=neutral', '--external:@aws-appsync/utils', '--legal-comments=none'];

/** The code the package ships for one resolver (esbuild, same options as the build). */
export function shippedCode(name: string): string {
  const result = buildSync({
    entryPoints: [path.join(RESOLVER_SOURCE_DIR, `${name}.ts`)],
    bundle: true,
    format: 'esm',
    target: 'es2020',
    platform: 'neutral',
    external: ['@aws-appsync/utils'],
    legalComments: 'none',
    write: false,
  });
  return result.outputFiles[0].text;
}

/** The code AppSync receives: the configuration line the construct writes, then the shipped module. */
export function withConfig(code: string, config: object): string {
  return `const ${CONFIG_GLOBAL} = ${JSON.stringify(config)};\n${code}`;
}

/** One GraphQL error as AppSync puts it in `errors[]`. */
export interface GraphqlError {
  readonly message: string;
  readonly errorType?: string;
  readonly data?: unknown;
  readonly errorInfo?: unknown;
}

/** Thrown by util.error: the handler stops ("util.error … throws an error", Built-in utilities). */
class UtilError extends Error {
  constructor(readonly graphqlError: GraphqlError) {
    super(graphqlError.message);
  }
}

/** Thrown by runtime.earlyReturn: skips the data source ("Runtime utilities"). */
class EarlyReturn extends Error {
  constructor(readonly data: unknown) {
    super('earlyReturn');
  }
}

/** Controls for tests: the clock and the ids the runtime hands out. */
export interface RuntimeOptions {
  /** Epoch milliseconds `util.time` reports. @default Date.now() at each call */
  readonly now?: () => number;
}

/** Converts a JavaScript value to a DynamoDB attribute value as `util.dynamodb.toDynamoDB` does. */
export function toDynamoDB(value: unknown): Record<string, unknown> {
  if (value === null || value === undefined) return { NULL: true };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
  if (typeof value === 'object') {
    const m: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) m[k] = toDynamoDB(v);
    return { M: m };
  }
  throw new Error(`toDynamoDB: unsupported value ${String(value)}`);
}

/** The reverse: how AppSync hands DynamoDB items to `ctx.result` (plain JSON). */
export function fromDynamoDB(av: Record<string, any>): unknown {
  if ('S' in av) return av.S;
  if ('N' in av) return Number(av.N);
  if ('BOOL' in av) return av.BOOL;
  if ('NULL' in av) return null;
  if ('L' in av) return (av.L as any[]).map(fromDynamoDB);
  if ('M' in av) return unmarshallItem(av.M);
  if ('SS' in av) return av.SS;
  if ('NS' in av) return (av.NS as string[]).map(Number);
  throw new Error(`fromDynamoDB: unsupported attribute ${JSON.stringify(av)}`);
}

/** A DynamoDB item (attribute values) as a plain object. */
export function unmarshallItem(item: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(item)) out[k] = fromDynamoDB(v);
  return out;
}

function makeUtil(errors: GraphqlError[], options: RuntimeOptions) {
  const now = () => (options.now ? options.now() : Date.now());
  return {
    error(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): never {
      throw new UtilError({ message, errorType, data, errorInfo });
    },
    appendError(message: string, errorType?: string, data?: unknown, errorInfo?: unknown): void {
      errors.push({ message, errorType, data, errorInfo });
    },
    autoId: () => randomUUID(),
    isNull: (v: unknown) => v === null || v === undefined,
    time: {
      nowISO8601: () => new Date(now()).toISOString(),
      nowEpochMilliSeconds: () => now(),
      epochMilliSecondsToISO8601: (ms: number) => new Date(ms).toISOString(),
    },
    dynamodb: {
      toDynamoDB,
      toMapValues(value: Record<string, unknown>) {
        const m: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) m[k] = toDynamoDB(v);
        return m;
      },
    },
  };
}

/** A loaded resolver: the module AppSync would evaluate, with its request/response handlers. */
export interface LoadedResolver {
  readonly code: string;
  /** The errors util.appendError recorded during the last call. */
  readonly appended: GraphqlError[];
  request(ctx: ResolverContext): unknown;
  response(ctx: ResolverContext): unknown;
}

/** The `ctx` object handed to the handlers. */
export interface ResolverContext {
  arguments: Record<string, unknown>;
  args: Record<string, unknown>;
  identity?: unknown;
  source?: unknown;
  stash: Record<string, unknown>;
  prev: { result: unknown };
  request: { headers: Record<string, string> };
  info: { fieldName: string; parentTypeName: string; variables: Record<string, unknown> };
  error?: { message: string; type: string };
  result?: unknown;
}

/**
 * Evaluates resolver code (ESM, as AppSync receives it) in a fresh context with only the
 * `@aws-appsync/utils` import available.
 */
export function loadResolver(code: string, options: RuntimeOptions = {}): LoadedResolver {
  const appended: GraphqlError[] = [];
  const util = makeUtil(appended, options);
  const runtime = { earlyReturn: (data?: unknown) => { throw new EarlyReturn(data); } };
  const extensions = { setSubscriptionFilter: () => undefined };
  const cjs = transformSync(code, { format: 'cjs', loader: 'js' }).code;
  const module = { exports: {} as Record<string, any> };
  const sandbox = {
    module,
    exports: module.exports,
    require: (name: string) => {
      if (name !== '@aws-appsync/utils') throw new Error(`APPSYNC_JS: import of "${name}" is not available at run time`);
      return { util, runtime, extensions };
    },
    Date: undefined, // not relied on: util.time is the documented clock
  };
  vm.runInNewContext(cjs, sandbox, { filename: 'resolver.js' });
  const { request, response } = module.exports;
  if (typeof request !== 'function' || typeof response !== 'function') {
    throw new Error('an APPSYNC_JS resolver must export request(ctx) and response(ctx)');
  }
  return { code, request, response, appended };
}

/** What a data source did with a request object. */
export interface DataSourceOutcome {
  readonly result?: unknown;
  readonly error?: { message: string; type: string };
}

/** A data source: takes the request object, returns result or error (as AppSync fills ctx). */
export type DataSource = (requestObject: any) => Promise<DataSourceOutcome>;

/** The None data source: "the result is the payload of the request" (None data source reference). */
export const noneDataSource: DataSource = async (req) => ({ result: req?.payload ?? null });

/** The outcome of one field: what the GraphQL response would carry for it. */
export interface FieldOutcome {
  readonly data: unknown;
  readonly errors: GraphqlError[];
  /** The request object the data source received (undefined after an early return or an error). */
  readonly requestObject?: unknown;
}

/** Runs a unit resolver for one field the way AppSync does. */
export async function runUnitResolver(
  resolver: LoadedResolver,
  input: { args: Record<string, unknown>; identity?: unknown; fieldName?: string; parentTypeName?: string },
  dataSource: DataSource,
): Promise<FieldOutcome> {
  resolver.appended.length = 0;
  const ctx: ResolverContext = {
    arguments: input.args,
    args: input.args,
    identity: input.identity,
    source: null,
    stash: {},
    prev: { result: null },
    request: { headers: {} },
    info: { fieldName: input.fieldName ?? 'field', parentTypeName: input.parentTypeName ?? 'Query', variables: {} },
  };
  let requestObject: unknown;
  try {
    requestObject = resolver.request(ctx);
  } catch (e) {
    if (e instanceof UtilError) return { data: null, errors: [...resolver.appended, e.graphqlError] };
    if (e instanceof EarlyReturn) return { data: e.data ?? null, errors: [...resolver.appended] };
    throw e;
  }
  // The request object is JSON: AppSync serializes it before the data source sees it.
  const outcome = await dataSource(JSON.parse(JSON.stringify(requestObject)));
  ctx.result = outcome.result;
  if (outcome.error) ctx.error = outcome.error;
  try {
    const data = resolver.response(ctx);
    return { data: data === undefined ? null : data, errors: [...resolver.appended], requestObject };
  } catch (e) {
    if (e instanceof UtilError) return { data: null, errors: [...resolver.appended, e.graphqlError], requestObject };
    throw e;
  }
}

/** Reads a shipped resolver with its configuration, ready to run. */
export function shippedResolver(name: string, config: object, options: RuntimeOptions = {}): LoadedResolver {
  return loadResolver(withConfig(shippedCode(name), config), options);
}

/** Names of the shipped resolvers (one file each in lambda/appsync-resolvers/). */
export function shippedResolverNames(): string[] {
  return fs.readdirSync(RESOLVER_SOURCE_DIR)
    .filter(f => f.endsWith('.ts') && !f.endsWith('.d.ts') && f !== 'config.ts')
    .map(f => f.replace(/\.ts$/, ''))
    .sort();
}
