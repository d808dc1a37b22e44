/**
 * The real-time proof server, run as its own process by ./launcher.ts: `amplify-appsync-simulator`
 * (npm), which speaks AppSync's real-time WebSocket protocol (graphql-ws subprotocol,
 * connection_init/connection_ack, start/start_ack, data, ka, stop/complete) and filters
 * subscriptions by their arguments as AppSync does without enhanced filters.
 *
 * What runs inside it:
 * - the schema and the resolvers of the synthesized template (the launcher reads them and hands
 *   them over in the config file): every resolver on a NONE data source runs its APPSYNC_JS code
 *   (the shipped publish resolver) through the APPSYNC_JS model
 *   (test/lambda/appsync-resolvers/appsync-js-runtime.ts), because the simulator itself runs only
 *   VTL. The simulator calls it as a Lambda data source with a pass-through VTL pair.
 * - API_KEY auth (the simulator does not verify IAM signatures; auth is not what this proves).
 * - subscription argument filtering: amplify-appsync-simulator 2.4.1's WebSocket server hands
 *   every publication to every subscriber of the field (its filter is called without the
 *   subscription's arguments). With `filterByArguments` (the default) each subscription field gets
 *   AppSync's documented rule instead (`appsyncArgumentFilter` below, a MODEL); the proof's
 *   tripwire starts the server without it and expects the simulator to still deliver unfiltered.
 *
 * It listens on 127.0.0.1 only: the simulator calls `listen(port)`, which would bind every
 * interface, so `http.Server.prototype.listen` is pinned to 127.0.0.1 before it loads.
 *
 * Usage: node -r ts-node/register/transpile-only server.ts <config.json>; prints one JSON line
 * `{"ready":true,"port":N}` on stdout when it accepts connections.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { loadResolver, noneDataSource, runUnitResolver } from '../../../test/lambda/appsync-resolvers/appsync-js-runtime';

/** What the launcher hands over. */
export interface RealtimeServerConfig {
  /** Directory whose node_modules holds amplify-appsync-simulator. */
  readonly toolDir: string;
  readonly port: number;
  readonly apiKey: string;
  /** GraphQL schema (SDL) as deployed. */
  readonly schema: string;
  /** Apply AppSync's argument filtering to subscriptions (see above). */
  readonly filterByArguments: boolean;
  /** APPSYNC_JS resolvers on NONE data sources, as deployed. */
  readonly noneResolvers: { readonly typeName: string; readonly fieldName: string; readonly code: string }[];
}

/**
 * AppSync's subscription argument filtering ("Subscriptions — Using subscription arguments"):
 * a publication reaches a subscription when, for every argument the subscriber gave a value, the
 * mutation's response has a field of that name with an equal value; arguments left out or null
 * do not filter. (Enhanced filters set by a subscription resolver are not modelled here.)
 */
export function appsyncArgumentFilter(payload: Record<string, unknown> | null | undefined, args: Record<string, unknown>): boolean {
  if (payload === null || payload === undefined) return false;
  return Object.entries(args).every(([name, value]) => value === null || value === undefined || String(payload[name]) === String(value));
}

const original = http.Server.prototype.listen;
http.Server.prototype.listen = function listenOnLoopback(this: http.Server, ...args: any[]) {
  if (typeof args[0] === 'number' && (args.length === 1 || typeof args[1] === 'function')) {
    return (original as any).call(this, args[0], '127.0.0.1', ...args.slice(1));
  }
  if (args[0] && typeof args[0] === 'object' && !('host' in args[0])) {
    return (original as any).call(this, { ...args[0], host: '127.0.0.1' }, ...args.slice(1));
  }
  return original.apply(this, args as any);
} as any;

async function main(): Promise<void> {
  const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as RealtimeServerConfig;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sim = require(path.join(config.toolDir, 'node_modules', 'amplify-appsync-simulator'));
  // The simulator logs every filtered-out publication as a warning: keep stderr for real errors.
  console.warn = () => undefined;

  const loaded = new Map(config.noneResolvers.map(r => [`${r.typeName}.${r.fieldName}`, loadResolver(r.code)]));
  const invoke = async (payload: { typeName: string; fieldName: string; arguments: Record<string, unknown> }) => {
    const resolver = loaded.get(`${payload.typeName}.${payload.fieldName}`);
    if (!resolver) throw new Error(`no APPSYNC_JS resolver for ${payload.typeName}.${payload.fieldName}`);
    const field = { args: payload.arguments, fieldName: payload.fieldName, parentTypeName: payload.typeName };
    const out = await runUnitResolver(resolver, field, noneDataSource);
    if (out.errors.length > 0) throw Object.assign(new Error(out.errors[0].message), { type: out.errors[0].errorType });
    return out.data;
  };
  const request = '{"version":"2018-05-29","operation":"Invoke","payload":{"typeName":"$ctx.info.parentTypeName","fieldName":"$ctx.info.fieldName","arguments":$util.toJson($ctx.args)}}';
  const response = '#if($ctx.error)$util.error($ctx.error.message, $ctx.error.type)#end\n$util.toJson($ctx.result)';

  const simulator = new sim.AmplifyAppSyncSimulator({ port: config.port, wsPort: 0 });
  simulator.init({
    schema: { content: config.schema },
    appSync: {
      name: 'realtime-proof',
      defaultAuthenticationType: { authenticationType: 'API_KEY' },
      apiKey: config.apiKey,
      additionalAuthenticationProviders: [],
    },
    dataSources: [{ type: 'AWS_LAMBDA', name: 'ShippedAppsyncJs', invoke }],
    resolvers: config.noneResolvers.map(r => ({
      kind: 'UNIT',
      typeName: r.typeName,
      fieldName: r.fieldName,
      dataSourceName: 'ShippedAppsyncJs',
      requestMappingTemplate: request,
      responseMappingTemplate: response,
    })),
  });
  if (config.filterByArguments) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { withFilter } = require(path.join(config.toolDir, 'node_modules', 'graphql-subscriptions'));
    const subscriptionType = simulator.schema.getSubscriptionType();
    for (const [name, field] of Object.entries<any>(subscriptionType?.getFields() ?? {})) {
      field.subscribe = (_source: unknown, args: Record<string, unknown>) =>
        withFilter(() => simulator.pubsub.asyncIterator(name), (payload: Record<string, unknown>) => appsyncArgumentFilter(payload, args))();
    }
  }
  await simulator.start();
  process.stdout.write(`${JSON.stringify({ ready: true, port: config.port })}\n`);
  const stop = () => {
    simulator.stop();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
