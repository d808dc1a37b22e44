import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, CfnResource, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { stats, Stats } from '../lib/stats';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';

/**
 * TopicFanOut at scale: CloudFormation resources per subscriber (each kind of subscriber, from
 * stacks with 1, 2 and 10), and one stack with 100 subscribers: synth time and resources
 * against CloudFormation's limit of 500 per stack, plus how many subscribers fit.
 *
 * Synthesized in this process (each run a new App): the figures of interest are resource
 * counts, which do not depend on the machine; the synth times are for scale only.
 */
type Kind = 'plain' | 'filtered + consumer' | 'shared DLQ';

const LIMIT = 500;

/* eslint-disable @typescript-eslint/no-require-imports */
function library(root: string): typeof import('../../src') {
  return require(path.join(root, 'src')) as typeof import('../../src');
}

interface Built { readonly resources: number; readonly synthMs: number; readonly error?: string }

function build(root: string, kind: Kind, subscribers: number): Built {
  const { TopicFanOut } = library(root);
  const start = performance.now();
  const app = new App({ outdir: path.join(os.tmpdir(), `cip-bench-fanout-${process.pid}`) });
  const stack = new Stack(app, 'FanOut', { env: { account: '111111111111', region: 'us-east-1' } });
  const fanOut = new TopicFanOut(stack, 'Orders', { shareDeadLetterQueue: kind === 'shared DLQ' });
  for (let i = 0; i < subscribers; i++) {
    fanOut.addSubscriber(`S${i}`, kind === 'filtered + consumer' ? {
      filterPolicy: { tier: sns.SubscriptionFilter.stringFilter({ allowlist: [`t${i}`] }) },
      consumer: { code: lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] })'), handler: 'index.handler' },
    } : {});
  }
  const resources = stack.node.findAll().filter(c => CfnResource.isCfnResource(c)).length;
  try {
    app.synth();
    return { resources, synthMs: performance.now() - start };
  } catch (e) {
    return { resources, synthMs: performance.now() - start, error: (e as Error).message };
  }
}

async function runFanOutSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const kinds: Kind[] = ['plain', 'filtered + consumer', 'shared DLQ'];
  const perSubscriber: Array<{ kind: Kind; counts: Record<number, number>; perSubscriber: number; base: number; maxFit: number }> = [];
  for (const kind of kinds) {
    const counts: Record<number, number> = {};
    for (const n of [1, 2, 10]) {
      counts[n] = build(ctx.root, kind, n).resources;
      ctx.progress(`${kind}: ${n} subscriber(s) -> ${counts[n]} resources`);
    }
    const per = (counts[10] - counts[1]) / 9;
    const base = counts[1] - per;
    perSubscriber.push({ kind, counts, perSubscriber: per, base, maxFit: Math.floor((LIMIT - base) / per) });
  }

  const hundred: Array<{ kind: Kind; resources: number; synthMs: Stats; fits: boolean; error?: string }> = [];
  for (const kind of kinds) {
    for (let w = 0; w < ctx.warmup; w++) build(ctx.root, kind, 100);
    const samples: Built[] = [];
    for (let i = 0; i < ctx.runs; i++) {
      samples.push(build(ctx.root, kind, 100));
      ctx.progress(`${kind}: 100 subscribers run ${i + 1}/${ctx.runs}: ${samples[i].synthMs.toFixed(0)} ms, ${samples[i].resources} resources${samples[i].error ? ' (refused)' : ''}`);
    }
    hundred.push({
      kind,
      resources: samples[0].resources,
      synthMs: stats(samples.map(s => s.synthMs), 0),
      fits: !samples[0].error,
      error: samples[0].error?.split('\n').find(l => l.includes('invalid subscribers')),
    });
  }

  const rows = perSubscriber.map(p => {
    const h = hundred.find(x => x.kind === p.kind)!;
    return [
      p.kind, String(p.counts[1]), String(p.counts[2]), String(p.counts[10]), p.perSubscriber.toFixed(1), String(p.base),
      String(p.maxFit), String(h.resources), h.fits ? 'yes' : 'no (synth refused)', `${h.synthMs.median.toFixed(0)} (${h.synthMs.min.toFixed(0)}–${h.synthMs.max.toFixed(0)})`,
    ];
  });
  const notes = [
    'plain: new queue + DLQ per subscriber, no filter, no consumer (the defaults). filtered + consumer: plus an attribute filter and a consumer function. shared DLQ: shareDeadLetterQueue: true.',
    'resources per subscriber = (resources with 10 − with 1) / 9; base = the topic, its key, policy and alarm, the dashboard (and the shared DLQ). max fit = floor((500 − base) / per subscriber).',
    `100 subscribers: synth ms is new App() + constructs + app.synth() in this process (median of ${ctx.runs}, min–max), including aws-cdk-lib's template validation; a refused synth stops at TopicFanOut's 500-resource check.`,
    ...hundred.filter(h => h.error).map(h => `${h.kind}, 100 subscribers: ${h.error}`),
  ];
  return {
    table: {
      title: 'TopicFanOut: CloudFormation resources per subscriber, and 100 subscribers vs the 500-resource limit',
      columns: ['subscriber kind', '1 sub', '2 subs', '10 subs', 'per subscriber', 'base', 'max fit (500)', '100 subs: resources', '100 subs: synthesizes', '100 subs: synth ms'],
      numeric: [false, true, true, true, true, true, true, true, false, true],
      rows,
    },
    notes,
    summary: perSubscriber.map(p => `${p.kind}: ${p.perSubscriber.toFixed(1)} resources per subscriber, ${p.maxFit} fit in one stack; 100 → ${hundred.find(h => h.kind === p.kind)!.resources} resources`),
    settings: { runs: ctx.runs, warmup: ctx.warmup, limit: LIMIT },
    results: { perSubscriber, hundred },
  };
}

export const fanOutSuite: Suite = {
  name: 'fan-out',
  description: 'TopicFanOut: resources per subscriber and a 100-subscriber stack vs the 500-resource limit',
  run: runFanOutSuite,
};
