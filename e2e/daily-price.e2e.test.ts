/**
 * DailyPriceStack on MiniStack (deployed by the e2e globalSetup from the reference app with
 * `-c local=true -c quoteEndpoint=<127.0.0.1 quote server> -c symbols=AMZN,MSFT`).
 *
 * 1. The scenario (e2e/harness/scenarios/daily-price.ts, also a row of `npx projen local`): the
 *    DEPLOYED schedule's target, copied into a one-time `at(now + 5 s)` schedule, fires the fetcher;
 *    a price travels quote server → fetcher → bus → history table, the big move also → alert topic,
 *    the small one not.
 * 2. TRIPWIRES for what MiniStack does not emulate (docs/local-aws-fidelity.md): EventBridge rule
 *    targets' DeadLetterConfig/RetryPolicy (a failing target leaves its DLQ empty), Scheduler
 *    time zones (a cron in Asia/Kolkata fires at the UTC wall clock), and its CloudFormation
 *    dropping ScheduleExpressionTimezone (the deployed 21:00 America/New_York schedule reads back
 *    as UTC). Each fails when MiniStack gains the feature. They start in beforeAll and run while
 *    the scenario waits (≤ ~95 s in all, bounded by the time-zone tripwire).
 *
 * What proves our time-zone handling is not this file: `test/patterns/scheduled-job.test.ts`
 * (synth-time IANA check, `ScheduleExpressionTimezone` in the template) and
 * `test/architectures/daily-price.test.ts` (21:00 America/New_York in the template).
 */
import * as fs from 'fs';
import * as path from 'path';
import { CreateEventBusCommand, DeleteEventBusCommand, DeleteRuleCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand, waitUntilFunctionUpdatedV2 } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { clientConfig, LocalClients, localClients } from './harness/clients';
import { drainQueue } from './harness/collect';
import { readOutputs } from './harness/deploy';
import { readEmulatorState } from './harness/emulator';
import { paths, progress } from './harness/paths';
import { QuoteServerControl } from './harness/quote-server';
import { assertScenario, DAILY_PRICE_STACK, dailyPriceScenario, DailyPriceResult } from './harness/scenarios';
import { oneTimeCopyOfTarget } from './harness/scenarios/daily-price';
import { SchedulerApi } from './harness/signed-aws';

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const run = `${process.pid}-${Date.now() % 100_000}`;

let clients: LocalClients;
let events: EventBridgeClient;
let scheduler: SchedulerApi;
const cleanup: Array<() => Promise<unknown>> = [];

async function queue(name: string): Promise<{ url: string; arn: string }> {
  const url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  cleanup.push(() => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: url })));
  return { url, arn };
}

// ---- Tripwire 1: EventBridge target DLQ / RetryPolicy --------------------------------------
// A rule on a bus of its own with two targets: a queue that does not exist (the delivery fails;
// on AWS, with MaximumRetryAttempts 0, the event goes to the target's DLQ at once) and a probe
// queue (proves the rule matched and MiniStack dispatched).
interface DlqTripwire { dlqUrl: string; probeUrl: string; sentAt: number }
async function startDlqTripwire(): Promise<DlqTripwire> {
  const bus = `dlq-tripwire-${run}`;
  await events.send(new CreateEventBusCommand({ Name: bus }));
  cleanup.push(() => events.send(new DeleteEventBusCommand({ Name: bus })));
  const dlq = await queue(`dlq-tripwire-dlq-${run}`);
  const probe = await queue(`dlq-tripwire-probe-${run}`);
  await events.send(new PutRuleCommand({ Name: 'failing-target', EventBusName: bus, EventPattern: JSON.stringify({ source: ['dlq.tripwire'] }) }));
  await events.send(new PutTargetsCommand({
    Rule: 'failing-target',
    EventBusName: bus,
    Targets: [
      {
        Id: 'missing-queue',
        Arn: `arn:aws:sqs:us-east-1:000000000000:does-not-exist-${run}`,
        DeadLetterConfig: { Arn: dlq.arn },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
      { Id: 'probe', Arn: probe.arn },
    ],
  }));
  cleanup.push(() => events.send(new RemoveTargetsCommand({ Rule: 'failing-target', EventBusName: bus, Ids: ['missing-queue', 'probe'] }))
    .then(() => events.send(new DeleteRuleCommand({ Name: 'failing-target', EventBusName: bus }))));
  const put = await events.send(new PutEventsCommand({ Entries: [{ EventBusName: bus, Source: 'dlq.tripwire', DetailType: 'Probe', Detail: JSON.stringify({ run }) }] }));
  expect(put.FailedEntryCount).toBe(0);
  return { dlqUrl: dlq.url, probeUrl: probe.url, sentAt: Date.now() };
}

// ---- Tripwire 2: Scheduler time zones ------------------------------------------------------
// Two crons in Asia/Kolkata (UTC+05:30, no daylight saving) for the next whole minute T that is
// at least 15 s away (MiniStack sweeps schedules every 10 s and arms a new cron on its first sweep): one written with T's UTC hours:minutes (AWS would fire it 5 h 30 min
// earlier or later, never at T), one with T's Kolkata hours:minutes (AWS fires it at T). Both
// target a probe queue with their name as input. MiniStack ignores the zone: the first fires at T.
const ZONE = 'Asia/Kolkata';
const ZONE_OFFSET_MINUTES = 330;
interface TimeZoneTripwire { probeUrl: string; t: number; names: string[]; group: string }
async function startTimeZoneTripwire(roleArn: string, group: string): Promise<TimeZoneTripwire> {
  const probe = await queue(`tz-tripwire-${run}`);
  const t = Math.ceil((Date.now() + 15_000) / 60_000) * 60_000;
  const cron = (d: Date) => `cron(${d.getUTCMinutes()} ${d.getUTCHours()} * * ? *)`;
  const schedules: Record<string, string> = {
    'utc-wall-clock': cron(new Date(t)),
    'zone-wall-clock': cron(new Date(t + ZONE_OFFSET_MINUTES * 60_000)),
  };
  const names: string[] = [];
  for (const [which, expression] of Object.entries(schedules)) {
    const name = `tz-tripwire-${which}-${run}`;
    await scheduler.createSchedule(name, {
      GroupName: group,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: ZONE,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: probe.arn, RoleArn: roleArn, Input: JSON.stringify({ which }) },
    });
    names.push(name);
    cleanup.push(() => scheduler.deleteSchedule(name, group));
  }
  progress(`[daily-price] time-zone tripwire: ${JSON.stringify(schedules)} in ${ZONE}; T = ${new Date(t).toISOString()}`);
  return { probeUrl: probe.url, t, names, group };
}

// ---- A run that fails inside the fetcher -------------------------------------------------------
// After the scenario, the quote server answers AMZN with an unusable quote (previousClose 0), so
// the deployed fetcher throws after its first request. Each attempt is one AMZN request.
// MiniStack's CloudFormation drops the function's DeadLetterConfig (TRIPWIRE), so first the
// template's DeadLetterConfig is applied with UpdateFunctionConfiguration (a MODEL of the deploy,
// the same queue the template names), then:
// (a) Invoke with InvocationType Event — how Scheduler invokes Lambda on AWS: Lambda retries twice,
//     then the fetcher's DeadLetterConfig (the stack's FailedRuns queue) gets the run.
// (b) The deployed schedule's target fired by MiniStack's Scheduler (one-time at() copy): MiniStack
//     runs the function once, not as an asynchronous invoke — no retries, nothing dead-lettered (TRIPWIRE).
interface FailedRuns {
  deployedDeadLetterConfig?: string;
  templateDlq: string;
  asyncAttempts: number;
  asyncDlq: string[];
  schedulerFired: boolean;
  schedulerAttempts: number;
  schedulerDlq: string[];
}
/** The fetcher's DeadLetterConfig in the synthesized template: the logical id of its queue. */
function templateFetcherDlq(): { fetcherDlq: string; scheduleDlq: string } {
  const template = JSON.parse(fs.readFileSync(path.join(paths.cdkOut, 'reference', `${DAILY_PRICE_STACK}.template.json`), 'utf8'));
  const resources = Object.values(template.Resources as Record<string, { Type: string; Properties: any }>);
  const fetcher = resources.find(r => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment?.Variables?.QUOTE_ENDPOINT)!;
  const schedule = resources.find(r => r.Type === 'AWS::Scheduler::Schedule')!;
  return { fetcherDlq: fetcher.Properties.DeadLetterConfig?.TargetArn?.['Fn::GetAtt']?.[0], scheduleDlq: schedule.Properties.Target.DeadLetterConfig.Arn['Fn::GetAtt'][0] };
}
async function failedRuns(outputs: ReturnType<typeof readOutputs>): Promise<FailedRuns> {
  const out = outputs[DAILY_PRICE_STACK];
  const lambda = new LambdaClient(clientConfig(clients.endpoint));
  try {
    const fetcher = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: out.FetcherFunctionName }));
    const quotes = new QuoteServerControl(fetcher.Environment!.Variables!.QUOTE_ENDPOINT!);
    const deployed = (await scheduler.getSchedule(out.ScheduleName, out.ScheduleGroupName))!;
    // The template gives the fetcher and the schedule the same queue (FailedRuns): its ARN is the schedule's deployed DLQ.
    const tpl = templateFetcherDlq();
    expect(tpl.fetcherDlq).toBe(tpl.scheduleDlq);
    const dlqArn = deployed.Target.DeadLetterConfig!.Arn!;
    const deployedDeadLetterConfig = fetcher.DeadLetterConfig?.TargetArn;
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: out.FetcherFunctionName, DeadLetterConfig: { TargetArn: dlqArn } }));
    await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 60, minDelay: 1 }, { FunctionName: out.FetcherFunctionName });
    progress(`[daily-price] MODEL: the template's DeadLetterConfig (${tpl.fetcherDlq}) applied to the deployed fetcher with UpdateFunctionConfiguration (CloudFormation dropped it: ${deployedDeadLetterConfig ?? 'none'})`);
    const dlqUrl = (await clients.sqs.send(new GetQueueUrlCommand({ QueueName: dlqArn.split(':').pop()! }))).QueueUrl!;
    const attemptsSince = async (t: number) => (await quotes.requests()).filter(r => r.at >= t && r.symbol === 'AMZN').length;
    const marker = (m: { Body?: string }) => m.Body ?? '';
    await drainQueue(clients, dlqUrl, { emptyReceives: 1 });
    await quotes.setQuotes({ AMZN: { price: 1, previousClose: 0 } });

    const tA = Date.now();
    await lambda.send(new InvokeCommand({ FunctionName: out.FetcherFunctionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify({ e2e: `failed-run-${run}` })) }));
    const asyncDlq: string[] = [];
    while (Date.now() < tA + 30_000 && asyncDlq.length === 0) {
      asyncDlq.push(...(await drainQueue(clients, dlqUrl, { emptyReceives: 1 })).map(marker));
      await sleep(1_000);
    }
    await sleep(3_000);
    asyncDlq.push(...(await drainQueue(clients, dlqUrl, { emptyReceives: 1 })).map(marker));
    const asyncAttempts = await attemptsSince(tA);

    const tB = Date.now();
    const name = `daily-price-fail-${run}`;
    await scheduler.createSchedule(name, { ...oneTimeCopyOfTarget(deployed, new Date(tB + 3_000)) });
    cleanup.push(() => scheduler.deleteSchedule(name, deployed.GroupName));
    let schedulerFired = false;
    while (Date.now() < tB + 30_000 && !schedulerFired) {
      schedulerFired = !(await scheduler.getSchedule(name, deployed.GroupName));
      await sleep(1_000);
    }
    // Lambda would retry after ~1 s and ~2 s here (MiniStack's async backoff): wait well past both.
    await sleep(10_000);
    const schedulerDlq = (await drainQueue(clients, dlqUrl, { emptyReceives: 2 })).map(marker);
    const schedulerAttempts = await attemptsSince(tB);
    progress(`[daily-price] failing run: async invoke ${asyncAttempts} attempts, DLQ ${asyncDlq.length}; Scheduler-fired ${schedulerFired ? 'fired' : 'DID NOT FIRE'}, ${schedulerAttempts} attempts, DLQ ${schedulerDlq.length}`);
    return { deployedDeadLetterConfig, templateDlq: tpl.fetcherDlq, asyncAttempts, asyncDlq, schedulerFired, schedulerAttempts, schedulerDlq };
  } finally {
    lambda.destroy();
  }
}

let dlqTripwire: Promise<DlqTripwire>;
let tzTripwire: Promise<TimeZoneTripwire>;
let scenario: Promise<DailyPriceResult>;
let failure: Promise<FailedRuns>;

beforeAll(async () => {
  const emulator = readEmulatorState();
  const outputs = readOutputs();
  clients = localClients(emulator.endpoint);
  events = new EventBridgeClient(clientConfig(emulator.endpoint));
  scheduler = new SchedulerApi(emulator.endpoint);
  const deployed = await scheduler.getSchedule(outputs[DAILY_PRICE_STACK].ScheduleName, outputs[DAILY_PRICE_STACK].ScheduleGroupName);
  // All three run at once; each test awaits its own.
  tzTripwire = startTimeZoneTripwire(deployed!.Target.RoleArn, 'default');
  dlqTripwire = startDlqTripwire();
  scenario = dailyPriceScenario().run({ clients, outputs, stackName: DAILY_PRICE_STACK, log: progress });
  // The failing runs change the quotes: only after the scenario is done with them.
  failure = scenario.catch(() => undefined).then(() => failedRuns(outputs));
  // Keep rejections for the tests that await them (no unhandled rejection in between).
  for (const p of [tzTripwire, dlqTripwire, scenario, failure]) p.catch(() => undefined);
}, 30_000);

afterAll(async () => {
  for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
  events?.destroy();
  clients?.destroy();
});

describe('the deployed schedule fires the fetcher; a price travels to the history table and, above the threshold, to the alert topic', () => {
  test('every row of the daily-price scenario is ok', async () => {
    const result = await scenario;
    for (const r of result.rows) progress(`[daily-price] ${r.ok ? 'ok  ' : 'FAIL'} ${r.what}: ${r.arrived}/${r.expected} at ${r.where}`);
    assertScenario(result);
  }, 150_000);

  test('the one-time schedule carried the deployed target exactly (function, role, input, retry policy, DLQ)', async () => {
    const result = await scenario;
    const target = result.deployedSchedule.Target;
    expect(result.oneTimeSchedule.Target).toEqual(target);
    expect(target.Arn).toMatch(/:function:IntegrationPatterns-DailyPrice-Fetcher/);
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    expect(target.DeadLetterConfig?.Arn).toMatch(/FailedRuns/);
    expect(result.deployedSchedule.ScheduleExpression).toBe('cron(0 21 ? * MON-FRI *)');
  }, 150_000);
});

describe('a run that fails inside the fetcher is not lost', () => {
  test('MODEL (the template\'s DeadLetterConfig applied with UpdateFunctionConfiguration), invoked asynchronously as Scheduler invokes Lambda on AWS: 1 + 2 Lambda retries, then the run is in the stack\'s FailedRuns DLQ', async () => {
    const f = await failure;
    expect(f.asyncAttempts).toBe(3);
    expect(f.asyncDlq).toHaveLength(1);
    expect(f.asyncDlq[0]).toContain(`failed-run-${run}`);
  }, 150_000);
});

describe('TRIPWIRES: what MiniStack does not emulate (each fails when it starts to)', () => {
  test('TRIPWIRE: MiniStack\'s CloudFormation drops a function\'s DeadLetterConfig (the fetcher\'s FailedRuns DLQ is in the template, not on the deployed function)', async () => {
    const f = await failure;
    expect(f.templateDlq).toMatch(/^FailedRuns/);
    expect(f.deployedDeadLetterConfig).toBeUndefined();
  }, 150_000);

  test('TRIPWIRE: MiniStack\'s Scheduler runs a Lambda target once, not as an asynchronous invoke (no Lambda retries, no DLQ)', async () => {
    const f = await failure;
    expect(f.schedulerFired).toBe(true);
    expect(f.schedulerAttempts).toBe(1);
    expect(f.schedulerDlq).toEqual([]);
  }, 150_000);

  test('TRIPWIRE: an EventBridge rule target that fails leaves its DeadLetterConfig queue empty (RetryPolicy/DLQ not used by MiniStack)', async () => {
    const t = await dlqTripwire;
    // AWS dead-letters a failed delivery with MaximumRetryAttempts 0 within seconds; give it 20.
    const probe = await drainQueue(clients, t.probeUrl, { emptyReceives: 3 });
    await sleep(Math.max(0, t.sentAt + 20_000 - Date.now()));
    const dlq = await drainQueue(clients, t.dlqUrl, { emptyReceives: 2 });
    progress(`[daily-price] TRIPWIRE target DLQ: the rule matched (probe got ${probe.length}); the failing target's DLQ got ${dlq.length} in 20 s`);
    expect(probe.length).toBe(1);
    expect(dlq).toEqual([]);
  }, 60_000);

  test('TRIPWIRE: MiniStack\'s CloudFormation drops the schedule\'s ScheduleExpressionTimezone (template America/New_York, deployed UTC)', async () => {
    const result = await scenario;
    const template = JSON.parse(fs.readFileSync(path.join(paths.cdkOut, 'reference', `${DAILY_PRICE_STACK}.template.json`), 'utf8'));
    const [schedule] = Object.values(template.Resources as Record<string, { Type: string; Properties: { ScheduleExpressionTimezone?: string } }>)
      .filter(r => r.Type === 'AWS::Scheduler::Schedule');
    progress(`[daily-price] TRIPWIRE: ScheduleExpressionTimezone in the template ${schedule.Properties.ScheduleExpressionTimezone}, deployed ${result.deployedSchedule.ScheduleExpressionTimezone}`);
    expect(schedule.Properties.ScheduleExpressionTimezone).toBe('America/New_York');
    expect(result.deployedSchedule.ScheduleExpressionTimezone).toBe('UTC');
  }, 150_000);

  test('TRIPWIRE: Scheduler ignores ScheduleExpressionTimezone (a cron in Asia/Kolkata fires at the UTC wall-clock time)', async () => {
    const t = await tzTripwire;
    // Both crons were due by T + 10 s (MiniStack sweeps schedules every 10 s): read the probe once
    // T + 20 s has passed (at most ~95 s after beforeAll); SentTimestamp says when each fired.
    await sleep(Math.max(0, t.t + 20_000 - Date.now()));
    const fired = (await drainQueue(clients, t.probeUrl, { emptyReceives: 2 }))
      .map(m => ({ which: JSON.parse(m.Body!).which as string, at: Number(m.Attributes?.SentTimestamp) }));
    progress(`[daily-price] TRIPWIRE time zones: T = ${new Date(t.t).toISOString()}; fired: ${JSON.stringify(fired.map(f => ({ ...f, at: new Date(f.at).toISOString() })))}`);
    // On AWS: only 'zone-wall-clock' fires at T. MiniStack: only 'utc-wall-clock', at T (after, never before).
    expect(fired.map(f => f.which)).toEqual(['utc-wall-clock']);
    expect(fired[0].at).toBeGreaterThanOrEqual(t.t);
    expect(fired[0].at).toBeLessThan(t.t + 20_000);
  }, 150_000);
});
