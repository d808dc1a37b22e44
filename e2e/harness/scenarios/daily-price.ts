/**
 * Daily price: the DEPLOYED schedule's configuration fires the fetcher, and a price travels
 * fetcher → quote server → PutEvents → bus → History route → WriteBuffer → history table, and for
 * |change| ≥ the threshold also → Alerts route → alert topic.
 *
 * The deployed schedule is a cron at 21:00 (America/New_York), which does not come round during
 * a test run. So the scenario reads it back (Scheduler GetSchedule) and creates a one-time
 * `at(now + 5 s)` schedule in the same group with EXACTLY its `Target` (function ARN, role,
 * input, retry policy, dead-letter queue) and `ActionAfterCompletion: DELETE`; MiniStack fires
 * `at` schedules within 10–20 s and then deletes them. Nothing else invokes the fetcher.
 *
 * The quote server (e2e/harness/quote-server.ts, 127.0.0.1, started before the deploy) is found
 * through the deployed fetcher's QUOTE_ENDPOINT; the scenario sets one quote per deployed symbol:
 * the first moves +7.5 % (≥ the 5 % threshold), the others +1.25 %. Prices carry a nonce of the
 * run, so rows and alerts of another run never count.
 *
 * Checked: the schedule fired (it deleted itself), the quote server got one request per symbol,
 * the fetcher logged its run, a PriceRecorded event per symbol reached the bus (a probe rule on the
 * deployed bus), the history table holds each price, and the alert topic (a probe queue subscribed
 * for the run) got the big move and nothing for the small ones.
 */
import { randomBytes } from 'crypto';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand, DeleteRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { output, Row, Scenario, ScenarioContext, ScenarioResult } from './types';
import { PRICE_EVENT_SOURCE } from '../../../src/architectures/daily-price-stack';
import { clientConfig, LocalClients } from '../clients';
import { drainQueue, scanTable } from '../collect';
import { QuoteServer, QuoteServerControl } from '../quote-server';
import { logMessages, ScheduleDescription, SchedulerApi } from '../signed-aws';

export const DAILY_PRICE_STACK = 'IntegrationPatterns-DailyPrice';
/** Symbols the local deploy fetches (`-c symbols=...`): one for a big move, one for a small one. */
export const DAILY_PRICE_SYMBOLS = ['AMZN', 'MSFT'];
/** DailyPriceStack's default `alertThresholdPercent` (the reference app keeps it). */
export const DAILY_PRICE_THRESHOLD = 5;

/** Context for `cdk deploy` of the reference app: the local quote endpoint and the symbols. */
export function dailyPriceDeployContext(server: QuoteServer): Record<string, string> {
  return { quoteEndpoint: server.endpoint, symbols: DAILY_PRICE_SYMBOLS.join(',') };
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const round2 = (n: number) => Math.round(n * 100) / 100;

export interface DailyPriceResult extends ScenarioResult {
  /** The deployed schedule, as GetSchedule returned it. */
  readonly deployedSchedule: ScheduleDescription;
  /** The one-time schedule's body (Target copied from the deployed one). */
  readonly oneTimeSchedule: OneTimeSchedule;
  /** Seconds from creating the one-time schedule to each step. */
  readonly timings: Record<string, number>;
}

/** Queue that accepts messages from any service (the emulator's SNS and EventBridge probes). */
async function probeQueue(clients: LocalClients, name: string): Promise<{ url: string; arn: string }> {
  const url = (await clients.sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await clients.sqs.send(new CreateQueueCommand({
    QueueName: name,
    Attributes: { Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sqs:SendMessage', Resource: arn }] }) },
  }));
  return { url, arn };
}

/** The symbol of an alert of this run (`SYMBOL moved X% to PRICE`, this run's price), else undefined. */
function alertSymbol(body: string, symbols: string[], quotes: Record<string, { price: number }>): string | undefined {
  let text = body;
  try { text = String(JSON.parse(body)); } catch { /* plain text */ }
  const [symbol] = text.split(' ');
  return symbols.includes(symbol) && text.endsWith(` to ${quotes[symbol].price}`) ? symbol : undefined;
}

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC. */
export function atExpression(when: Date): string {
  return `at(${when.toISOString().slice(0, 19)})`;
}

/** A CreateSchedule body: a one-time `at(when)` copy of the deployed schedule's `Target`, in its group, deleting itself once it fired. */
export interface OneTimeSchedule {
  readonly GroupName: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone: 'UTC';
  readonly FlexibleTimeWindow: { readonly Mode: 'OFF' };
  readonly Target: ScheduleDescription['Target'];
  readonly ActionAfterCompletion: 'DELETE';
  readonly State: 'ENABLED';
  readonly Description?: string;
}

/** The one-time copy of `deployed`'s target that fires at `when` (the e2e test and the scenario fire the deployed target this way). */
export function oneTimeCopyOfTarget(deployed: ScheduleDescription, when: Date, description?: string): OneTimeSchedule {
  return {
    GroupName: deployed.GroupName,
    ScheduleExpression: atExpression(when),
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: deployed.Target,
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    ...(description === undefined ? {} : { Description: description }),
  };
}

async function runDailyPrice(context: ScenarioContext): Promise<DailyPriceResult> {
  const started = Date.now();
  const { clients, outputs, stackName, log } = context;
  const out = (key: string) => output(outputs, stackName, key);
  const architecture = 'daily-price';
  const nonce = randomBytes(3).toString('hex');
  const lambda = new LambdaClient(clientConfig(clients.endpoint));
  const events = new EventBridgeClient(clientConfig(clients.endpoint));
  const scheduler = new SchedulerApi(clients.endpoint);
  const cleanup: Array<() => Promise<unknown>> = [];
  try {
    // What is deployed: the fetcher's quote endpoint, symbols and log group; the schedule.
    const fetcher = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: out('FetcherFunctionName') }));
    const env = fetcher.Environment?.Variables ?? {};
    const symbols = (env.SYMBOLS ?? '').split(',').filter(Boolean);
    const logGroup = fetcher.LoggingConfig?.LogGroup ?? `/aws/lambda/${fetcher.FunctionName}`;
    if (!env.QUOTE_ENDPOINT?.startsWith('http://127.0.0.1:')) {
      throw new Error(`the deployed fetcher's QUOTE_ENDPOINT is ${env.QUOTE_ENDPOINT}: deploy with -c quoteEndpoint=<the local quote server> (e2e globalSetup / npx projen local do)`);
    }
    if (symbols.length < 2) throw new Error(`the deployed fetcher fetches ${symbols.join(',')}: deploy with -c symbols=${DAILY_PRICE_SYMBOLS.join(',')} (one big and one small move)`);
    const quoteServer = new QuoteServerControl(env.QUOTE_ENDPOINT);

    // Quotes of this run: the first symbol moves +7.5 %, the others +1.25 %; the nonce is in the cents.
    const base = 200 + (parseInt(nonce, 16) % 9_000) / 100;
    const quotes = Object.fromEntries(symbols.map((s, i) => [s, {
      previousClose: round2(base + i),
      price: round2((base + i) * (i === 0 ? 1.075 : 1.0125)),
    }]));
    const change = (s: string) => Math.round(((quotes[s].price - quotes[s].previousClose) / quotes[s].previousClose) * 100 * 10_000) / 10_000;
    const big = symbols.filter(s => Math.abs(change(s)) >= DAILY_PRICE_THRESHOLD);
    const small = symbols.filter(s => !big.includes(s));
    await quoteServer.setQuotes(quotes);
    log(`[daily-price] quotes of run ${nonce}: ${symbols.map(s => `${s} ${quotes[s].previousClose} -> ${quotes[s].price} (${change(s)} %)`).join(', ')}`);

    // Probes: a queue on the alert topic, and a rule on the deployed bus that copies PriceRecorded of these symbols.
    const alertProbe = await probeQueue(clients, `daily-price-alerts-${nonce}`);
    const sub = await clients.sns.send(new SubscribeCommand({ TopicArn: out('AlertTopicArn'), Protocol: 'sqs', Endpoint: alertProbe.arn, Attributes: { RawMessageDelivery: 'true' } }));
    cleanup.push(
      () => clients.sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn })),
      () => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: alertProbe.url })),
    );
    const busProbe = await probeQueue(clients, `daily-price-bus-${nonce}`);
    const ruleName = `daily-price-probe-${nonce}`;
    await events.send(new PutRuleCommand({
      Name: ruleName,
      EventBusName: out('EventBusName'),
      EventPattern: JSON.stringify({ 'source': [PRICE_EVENT_SOURCE], 'detail-type': ['PriceRecorded'], 'detail': { symbol: symbols } }),
    }));
    await events.send(new PutTargetsCommand({ Rule: ruleName, EventBusName: out('EventBusName'), Targets: [{ Id: 'probe', Arn: busProbe.arn }] }));
    cleanup.push(
      () => events.send(new RemoveTargetsCommand({ Rule: ruleName, EventBusName: out('EventBusName'), Ids: ['probe'] })).then(() => events.send(new DeleteRuleCommand({ Name: ruleName, EventBusName: out('EventBusName') }))),
      () => clients.sqs.send(new DeleteQueueCommand({ QueueUrl: busProbe.url })),
    );

    // The deployed schedule, and a one-time copy of its target.
    const deployed = await scheduler.getSchedule(out('ScheduleName'), out('ScheduleGroupName'));
    if (!deployed) throw new Error(`the deployed schedule ${out('ScheduleGroupName')}/${out('ScheduleName')} does not exist`);
    log(`[daily-price] deployed schedule ${deployed.GroupName}/${deployed.Name}: ${deployed.ScheduleExpression} ${deployed.ScheduleExpressionTimezone}, target ${deployed.Target.Arn} `
      + `(retry ${JSON.stringify(deployed.Target.RetryPolicy)}, DLQ ${deployed.Target.DeadLetterConfig?.Arn})`);
    const oneTimeName = `daily-price-now-${nonce}`;
    const t0 = Date.now();
    const oneTime = oneTimeCopyOfTarget(deployed, new Date(t0 + 5_000), `One-time copy of ${deployed.Name}'s target (e2e)`);
    await scheduler.createSchedule(oneTimeName, { ...oneTime });
    cleanup.push(() => scheduler.deleteSchedule(oneTimeName, deployed.GroupName));
    log(`[daily-price] one-time schedule ${oneTimeName}: ${oneTime.ScheduleExpression} with the deployed target`);

    // Wait (at most 90 s) for every leg; read each until it is complete.
    const timings: Record<string, number> = {};
    const mark = (what: string) => { timings[what] ??= Math.round((Date.now() - t0) / 100) / 10; };
    let fired = false;
    let requested: string[] = [];
    let published = false;
    const onBus = new Map<string, any>();
    const alerts: string[] = [];
    let rows: Record<string, any> = {};
    const deadline = t0 + 90_000;
    while (Date.now() < deadline) {
      if (!fired && !(await scheduler.getSchedule(oneTimeName, deployed.GroupName))) { fired = true; mark('schedule fired (deleted itself)'); }
      requested = (await quoteServer.requests()).filter(r => r.at >= t0).map(r => r.symbol);
      if (symbols.every(s => requested.includes(s))) mark('quote server asked');
      if (!published && (await logMessages(clients.endpoint, logGroup, t0)).some(m => m.includes('prices published'))) { published = true; mark('fetcher logged its run'); }
      for (const m of await drainQueue(clients, busProbe.url, { emptyReceives: 1, waitTimeSeconds: 0 })) {
        const e = JSON.parse(m.Body!);
        if (e.detail?.price === quotes[e.detail?.symbol]?.price) onBus.set(e.detail.symbol, e);
      }
      if (onBus.size === symbols.length) mark('PriceRecorded on the bus');
      for (const m of await drainQueue(clients, alertProbe.url, { emptyReceives: 1, waitTimeSeconds: 0 })) {
        const symbol = alertSymbol(m.Body!, symbols, quotes);
        if (symbol) alerts.push(symbol);
      }
      if (big.every(s => alerts.includes(s))) mark('alert on the topic');
      rows = Object.fromEntries((await scanTable(clients, out('HistoryTableName')))
        .filter(i => typeof i.symbol === 'string' && quotes[i.symbol] && i.price === quotes[i.symbol].price).map(i => [i.symbol as string, i]));
      if (Object.keys(rows).length === symbols.length) mark('rows in the history table');
      const complete = onBus.size === symbols.length && Object.keys(rows).length === symbols.length && big.every(s => alerts.includes(s));
      if (fired && published && complete) break;
      await sleep(2_000);
    }
    // The small moves were in the same PutEvents request as the big one, so an alert for them would
    // have come with it; read the probe 3 s more before saying that none came.
    await sleep(3_000);
    for (const m of await drainQueue(clients, alertProbe.url, { emptyReceives: 2 })) {
      const symbol = alertSymbol(m.Body!, symbols, quotes);
      if (symbol) alerts.push(symbol);
    }
    log(`[daily-price] seconds after creating the one-time schedule: ${JSON.stringify(timings)}; quote requests ${requested.join(',')}; alerts ${alerts.join(',')}`);
    // Delivery is at least once (and on a weekday at 21:00 UTC the deployed cron fires too, since
    // MiniStack ignores its time zone): a symbol asked or alerted twice is still one.
    const distinct = (list: string[]) => [...new Set(list)];

    const row = (what: string, where: string, expected: string[], arrived: string[], extra?: string): Row => {
      const missing = expected.filter(s => !arrived.includes(s));
      const unexpected = arrived.filter(s => !expected.includes(s));
      const ok = missing.length === 0 && unexpected.length === 0 && arrived.length === expected.length;
      return {
        architecture,
        what,
        where,
        expected: expected.length,
        arrived: arrived.length,
        ok,
        problem: ok ? undefined : `${what}: expected [${expected.join(', ')}] at ${where}, got [${arrived.join(', ')}]${extra ? ` (${extra})` : ''}`,
      };
    };
    const priceIds = symbols.filter(s => rows[s] && rows[s].priceId === onBus.get(s)?.detail?.priceId && rows[s].changePercent === change(s));
    const result: DailyPriceResult = {
      architecture,
      stackName,
      durationMs: Date.now() - started,
      deployedSchedule: deployed,
      oneTimeSchedule: oneTime,
      timings,
      rows: [
        row('deployed schedule target fired once (one-time at() copy, deleted itself)', `Scheduler ${deployed.GroupName}`, ['fired'], fired ? ['fired'] : []),
        row('fetcher asked the quote server for every symbol', 'quote server 127.0.0.1', symbols, distinct(requested)),
        row('fetcher logged its run ("prices published")', `log group ${logGroup}`, ['run'], published ? ['run'] : []),
        row('PriceRecorded events on the bus (source, detail-type, detail)', `bus ${out('EventBusName')}`, symbols,
          [...onBus.values()].filter(e => e.source === PRICE_EVENT_SOURCE && e['detail-type'] === 'PriceRecorded').map(e => e.detail.symbol)),
        row('prices in the history table (WriteBuffer, key = the event\'s priceId)', `table ${out('HistoryTableName')}`, symbols, priceIds,
          `rows: ${JSON.stringify(rows)}`),
        row(`alerts for abs(change) >= ${DAILY_PRICE_THRESHOLD} % only (not for ${small.join(', ')})`, 'alert topic', big, distinct(alerts)),
      ],
    };
    return result;
  } finally {
    for (const undo of cleanup.reverse()) await undo().catch(() => undefined);
    lambda.destroy();
    events.destroy();
  }
}

/** The scenario, with the deployed and one-time schedules in its result. */
export interface DailyPriceScenario extends Scenario {
  run(context: ScenarioContext): Promise<DailyPriceResult>;
}

export function dailyPriceScenario(): DailyPriceScenario {
  return { architecture: 'daily-price', stackName: DAILY_PRICE_STACK, run: runDailyPrice };
}
