/**
 * Deploys CDK apps to the running emulator with the project's own CDK CLI: bundle the handlers,
 * bootstrap the dummy account, deploy with a hard timeout, return the stack outputs.
 *
 * The timeout matters: when a custom resource's handler crashes, MiniStack waits up to an hour for
 * its response while the CLI waits for MiniStack.
 */
import * as fs from 'fs';
import * as path from 'path';
import { REPO_ROOT, paths, progress, secondsSince } from './paths';
import { run } from './process';

/** The account and region the emulator pretends to be. */
export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';

/** Outputs of each deployed stack: stack name -> output key -> value. */
export type StackOutputs = Record<string, Record<string, string>>;

const bin = (name: string) => path.join(REPO_ROOT, 'node_modules', '.bin', name);

function timeoutMs(): number {
  return Number(process.env.LOCAL_AWS_DEPLOY_TIMEOUT_SECONDS ?? 300) * 1000;
}

/**
 * Environment for the CDK CLI and for anything else that talks to the emulator: every AWS
 * service at the endpoint, dummy credentials, no profile or config file of the user's, and no
 * calls home (version check, telemetry, instance metadata).
 */
export function localAwsEnv(endpoint: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Never let a real profile, session or per-service endpoint of the user's leak in.
    if (key.startsWith('AWS_') || key.startsWith('CDK_')) continue;
    env[key] = value;
  }
  const noProxy = ['127.0.0.1', 'localhost', process.env.NO_PROXY].filter(Boolean).join(',');
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_CONFIG_FILE: path.join(paths.root, 'no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(paths.root, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DEFAULT_ACCOUNT: LOCAL_ACCOUNT,
    CDK_DEFAULT_REGION: LOCAL_REGION,
    CDK_DISABLE_VERSION_CHECK: '1',
    CDK_DISABLE_CLI_TELEMETRY: 'true',
    NO_PROXY: noProxy,
    no_proxy: noProxy,
  };
}

async function step(what: string, command: string, args: string[], env: NodeJS.ProcessEnv, logName: string, limitMs: number): Promise<void> {
  const started = Date.now();
  const logFile = path.join(paths.logs, logName);
  progress(`${what} ...`);
  const result = await run(command, args, { cwd: REPO_ROOT, env, logFile, timeoutMs: limitMs });
  if (result.timedOut) {
    throw new Error(`${what}: no result within ${limitMs / 1000} s, stopped it. A stuck custom resource makes MiniStack wait up to an hour; `
      + `see ${logFile} and ${paths.emulatorLog}.\n${result.tail}`);
  }
  if (result.code !== 0) {
    const how = result.signal ? `stopped by ${result.signal}` : `exit ${result.code}`;
    throw new Error(`${what} failed (${how}; log ${logFile}):\n${result.tail}`);
  }
  progress(`${what}: done in ${secondsSince(started)} s`);
}

/** Bundles the Lambda handlers into assets/ (`npx projen bundle`). */
export async function bundleHandlers(): Promise<void> {
  await step('bundle handlers (projen bundle)', bin('projen'), ['bundle'], process.env, 'bundle.log', 180_000);
}

/** `cdk bootstrap aws://000000000000/us-east-1` against the emulator (needed after every start). */
export async function bootstrap(endpoint: string): Promise<void> {
  await step(`cdk bootstrap aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`, bin('cdk'),
    ['bootstrap', `aws://${LOCAL_ACCOUNT}/${LOCAL_REGION}`, '--output', path.join(paths.cdkOut, 'bootstrap')],
    localAwsEnv(endpoint), 'cdk-bootstrap.log', timeoutMs());
}

export interface DeployOptions {
  readonly endpoint: string;
  /** A name for logs and files: `reference` for the reference app, else the fixture's name. */
  readonly label: string;
  /** An app file to deploy instead of the reference app (cdk.json), e.g. `e2e/fixtures/broken-backbone.ts`. */
  readonly appFile?: string;
  /** Deploy only these stacks of the app (default: all). */
  readonly stacks?: readonly string[];
  /** More `-c key=value` context, e.g. DailyPrice's `quoteEndpoint` (a local server started before the deploy). */
  readonly context?: Readonly<Record<string, string>>;
}

/**
 * `cdk deploy --all --require-approval never -c local=true --outputs-file ...` with a hard timeout.
 * Returns the outputs of every stack of the app.
 */
export async function deployApp(options: DeployOptions): Promise<StackOutputs> {
  const outputsFile = options.label === 'reference' ? paths.outputs : path.join(paths.root, `outputs-${options.label}.json`);
  fs.rmSync(outputsFile, { force: true });
  const args = ['deploy', ...(options.stacks?.length ? options.stacks : ['--all']), '--require-approval', 'never', '-c', 'local=true',
    '--outputs-file', outputsFile, '--output', path.join(paths.cdkOut, options.label)];
  for (const [key, value] of Object.entries(options.context ?? {})) args.push('-c', `${key}=${value}`);
  if (options.appFile) args.push('--app', `npx ts-node --transpile-only --prefer-ts-exts ${options.appFile}`);
  await step(`cdk deploy ${options.appFile ?? 'reference app'} (-c local=true)`, bin('cdk'), args,
    localAwsEnv(options.endpoint), `cdk-deploy-${options.label}.log`, timeoutMs());
  return JSON.parse(fs.readFileSync(outputsFile, 'utf8')) as StackOutputs;
}

/** Reads the outputs a deploy wrote (for processes that did not deploy, e.g. jest test files). */
export function readOutputs(label = 'reference'): StackOutputs {
  const file = label === 'reference' ? paths.outputs : path.join(paths.root, `outputs-${label}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8')) as StackOutputs;
}
