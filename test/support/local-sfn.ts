/**
 * A MODEL of Step Functions for the tests: runs a synthesized state machine definition in
 * `aws-local-stepfunctions` (npm 3.0.0, an open-source ASL interpreter), with the REAL handler
 * code from lambda/ bound to the Lambda ARNs in the definition.
 *
 * Why: MiniStack runs state machines but loses Lambda error names (every Node error surfaces as
 * `Runtime.HandlerError`), so a Retry or Catch on `PaymentDeclined` can never match there. Here
 * the error name a handler throws is the name the definition's Retry/Catch sees, as on AWS
 * (Lambda reports `error.name` as `errorType`; Step Functions uses it as the error name).
 *
 * What is modelled, not real (docs/local-aws-fidelity.md, "Step Functions"):
 * - the interpreter itself (aws-local-stepfunctions, not AWS);
 * - the Lambda service integration (`arn:aws:states:::lambda:invoke`): the handler is called in
 *   process; its result is wrapped as `{ ExecutedVersion, Payload, StatusCode }` and its error
 *   becomes `{ Error: errorType, Cause: '{"errorType","errorMessage"}' }` as on AWS;
 * - every other service integration (DynamoDB, SQS, EventBridge...): the caller's `services`
 *   function (test/support/local-services.ts holds in-memory models);
 * - Wait states and retry intervals are shortened to 0 ms unless asked otherwise.
 */
// The package ships a CommonJS build (exports.require: build/main.node.cjs), which jest loads;
// its .d.ts sits in a "type": "module" package, so tsc calls the import ESM-from-CJS (TS1479).
// @ts-ignore TS1479
import { StateMachine } from 'aws-local-stepfunctions';
import { allStates } from './asl';

// aws-local-stepfunctions 3 targets Node >= 22; on Node 20 it only lacks Promise.withResolvers.
const P = Promise as unknown as { withResolvers?: () => unknown };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
    return { promise, resolve, reject };
  };
}

/** A handler as lambda/ exports it. */
export type LocalHandler = (event: any) => Promise<unknown> | unknown;

/** Runs a non-Lambda Task: `resource` is the state's Resource, `parameters` its resolved Parameters. */
export type ServiceModel = (resource: string, parameters: Record<string, unknown>) => Promise<unknown> | unknown;

/** How to run one execution. */
export interface LocalRunOptions {
  /** Handlers by function ARN, function name or logical id (test/support/asl.ts makes the ARNs). */
  readonly lambdas: Record<string, LocalHandler>;
  readonly services?: ServiceModel;
  /** Execution name in the context object ($$.Execution.Name). */
  readonly executionName?: string;
  /** Milliseconds every Wait state pauses (default 0). */
  readonly waitMs?: number;
  /** Milliseconds between retries (default 0). */
  readonly retryMs?: number;
}

/** How an execution ended, with its history. */
export interface LocalRunResult {
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** State transitions as AWS bills them: one per state entered (retries are not transitions... see events). */
  readonly transitions: number;
  /** Names of the states entered, in order. */
  readonly path: readonly string[];
  readonly retries: ReadonlyArray<{ state: string; error: string }>;
  readonly catches: ReadonlyArray<{ state: string; error: string }>;
}

const LAMBDA_INVOKE = 'arn:aws:states:::lambda:invoke';
const machines = new WeakMap<object, StateMachine>();
let executionCounter = 0;

/** Finds the handler for a FunctionName (ARN, ARN:qualifier, name or logical id). */
function handlerFor(lambdas: Record<string, LocalHandler>, functionName: string): LocalHandler {
  const name = functionName.replace(/:(\$LATEST|\d+)$/, '');
  const candidates = [name, name.split(':').pop()!];
  for (const c of candidates) if (lambdas[c]) return lambdas[c];
  throw new Error(`no local handler bound to ${functionName} (bound: ${Object.keys(lambdas).join(', ')})`);
}

/** Calls a handler as the Lambda service would, turning its error into Lambda's error shape. */
async function invoke(handler: LocalHandler, payload: unknown): Promise<unknown> {
  try {
    // Through JSON both ways, as over the wire.
    const result = await handler(JSON.parse(JSON.stringify(payload ?? {})));
    return result === undefined ? null : JSON.parse(JSON.stringify(result));
  } catch (err) {
    const e = err as Error;
    const errorType = e?.name || 'Error';
    const failure = new Error(JSON.stringify({ errorType, errorMessage: e?.message ?? String(err) }));
    failure.name = errorType;
    throw failure;
  }
}

/** Runs one execution of `definition` with `input`. */
export async function runLocally(definition: Record<string, unknown>, input: unknown, options: LocalRunOptions): Promise<LocalRunResult> {
  const taskResourceLocalHandlers: Record<string, (input: any) => Promise<any>> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [name, state] of allStates(definition)) {
    if (state.Retry) retryIntervalOverrides[name] = options.retryMs ?? 0;
    if (state.Type === 'Wait') waitTimeOverrides[name] = options.waitMs ?? 0;
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    if (resource === LAMBDA_INVOKE) {
      taskResourceLocalHandlers[name] = async (params: { FunctionName: string; Payload?: unknown }) => {
        const payload = await invoke(handlerFor(options.lambdas, params.FunctionName), params.Payload);
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      };
    } else if (resource.startsWith('arn:aws:lambda:')) {
      // Legacy form: the function ARN is the Resource, input and output are the payload.
      taskResourceLocalHandlers[name] = async (params: unknown) => invoke(handlerFor(options.lambdas, resource), params);
    } else {
      taskResourceLocalHandlers[name] = async (params: Record<string, unknown>) => {
        if (!options.services) throw new Error(`state "${name}" calls ${resource}: pass a services model`);
        return options.services(resource, params);
      };
    }
  }

  // Validated once per definition (the interpreter validates on construction, which is the slow part).
  let machine = machines.get(definition);
  if (!machine) {
    machine = new StateMachine(definition as any, { validationOptions: { checkArn: true, checkPaths: true } });
    machines.set(definition, machine);
  }
  const name = options.executionName ?? `local-${++executionCounter}`;
  const stateMachineName = 'local-state-machine';
  const execution = machine.run(input as any, {
    overrides: { taskResourceLocalHandlers, waitTimeOverrides, retryIntervalOverrides },
    // The context object ($$) as Step Functions fills it.
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:111111111111:execution:${stateMachineName}:${name}`,
        Name: name,
        Input: input,
        StartTime: new Date().toISOString(),
        RoleArn: 'arn:aws:iam::111111111111:role/local',
      },
      StateMachine: { Id: `arn:aws:states:us-east-1:111111111111:stateMachine:${stateMachineName}`, Name: stateMachineName },
    } as any,
  });

  const path: string[] = [];
  const retries: Array<{ state: string; error: string }> = [];
  const catches: Array<{ state: string; error: string }> = [];
  let failed: { Error: string; Cause: unknown } | undefined;
  let status: LocalRunResult['status'] | undefined;
  let lastFailure = new Map<string, string>();
  for await (const event of execution.eventLogs) {
    switch (event.type) {
      case 'StateEntered': path.push(event.state.name); break;
      case 'StateFailed': lastFailure.set(event.state.name, event.Error); break;
      case 'StateRetried': retries.push({ state: event.state.name, error: lastFailure.get(event.state.name) ?? '?' }); break;
      case 'StateCaught': catches.push({ state: event.state.name, error: lastFailure.get(event.state.name) ?? '?' }); break;
      case 'ExecutionFailed': status = 'FAILED'; failed = { Error: event.Error, Cause: event.Cause }; break;
      case 'ExecutionSucceeded': status = 'SUCCEEDED'; break;
      case 'ExecutionTimeout': status = 'TIMED_OUT'; break;
      case 'ExecutionAborted': status = 'ABORTED'; break;
      default: break;
    }
  }
  let output: unknown;
  try {
    output = await execution.result;
  } catch {
    // the event log already says how it ended
  }
  lastFailure = new Map();
  return {
    status: status ?? 'FAILED',
    output,
    error: failed?.Error,
    cause: failed?.Cause === undefined ? undefined : typeof failed.Cause === 'string' ? failed.Cause : JSON.stringify(failed.Cause),
    // Standard workflows bill one transition per state entered, retries included (each retry
    // re-enters the state), which is what `path` plus the retries count.
    transitions: path.length + retries.length,
    path,
    retries,
    catches,
  };
}
