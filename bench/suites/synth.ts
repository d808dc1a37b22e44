import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SynthReport } from '../apps/synth-harness';
import { ARCHITECTURES, BenchArchitecture } from '../architectures';
import { runNode } from '../lib/child';
import { transpileTree } from '../lib/compile';
import { formatRatio, Stats, stats } from '../lib/stats';
import { Suite, SuiteContext, SuiteResult } from '../lib/suite';

type SubjectKey = 'ours' | 'peer';
const SUBJECT_LABEL: Record<SubjectKey, string> = {
  ours: 'cdk-integration-patterns',
  peer: 'plain aws-cdk-lib L2',
};

/**
 * aws-cdk-lib (since 2.27x) validates every template during `app.synth()` with a WebAssembly
 * engine (@aws/cloudformation-validate). It is on by default and costs the same for both
 * subjects, so it hides differences in construct work: each architecture is measured as users
 * get it (`on`) and with `CDK_VALIDATION=false` (`off`: the constructs' own cost).
 */
type ValidationMode = 'on' | 'off';

/** Whether the installed aws-cdk-lib has the built-in validation engine (older ones do not). */
function hasBuiltInValidation(): boolean {
  try {
    require.resolve('@aws/cloudformation-validate', { paths: [path.dirname(require.resolve('aws-cdk-lib/package.json'))] });
    return true;
  } catch {
    return false;
  }
}
// Without the engine both modes measure the same thing: measure once.
const VALIDATION_MODES: ValidationMode[] = hasBuiltInValidation() ? ['on', 'off'] : ['off'];

function childEnv(mode: ValidationMode): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.CDK_VALIDATION;
  if (mode === 'off') env.CDK_VALIDATION = 'false';
  return env;
}

/** One measured synth: a fresh `node` process that synthesizes one stack into a temp dir. */
interface SynthSample {
  readonly wallMs: number;
  readonly inProcessMs: number;
  readonly loadMs: number;
  readonly cpuMs: number;
  readonly maxRssMb: number;
  readonly resources: number;
  readonly resourceTypes: Record<string, number>;
  readonly templateBytes: number;
  /** Each resource as `Type Properties`, logical IDs and names derived from the stack name normalized (see {@link resourceSignatures}). */
  readonly signatures: string[];
}

/**
 * Each resource of a template as one string (`Type` + its Properties as JSON), with every logical
 * ID replaced by `ID` and every name derived from the stack name (e.g.
 * `IntegrationPatternsClickstream-Clicks-OnFailure-01DE7DF5`) by `NAME`: two templates that build
 * the same resources with the same properties give the same multiset, whatever the construct ids.
 */
function resourceSignatures(template: { Resources?: Record<string, { Type: string; Properties?: unknown }> }, stackName: string): string[] {
  const resources = Object.entries(template.Resources ?? {}).filter(([, r]) => r.Type !== 'AWS::CDK::Metadata');
  const ids = resources.map(([id]) => id).sort((a, b) => b.length - a.length);
  const name = new RegExp(`${stackName.split('-').map(part => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('-?')}[-A-Za-z0-9/]*`, 'g');
  return resources.map(([, r]) => {
    let json = JSON.stringify(r.Properties ?? {});
    for (const id of ids) json = json.split(id).join('ID');
    return `${r.Type} ${json.replace(name, 'NAME')}`;
  }).sort();
}

/** Figures of one subject of one architecture in one validation mode (bench/results/synth.json). */
export interface SynthSubjectResult {
  readonly architecture: string;
  /** `on`: aws-cdk-lib's built-in template validation ran (the default); `off`: CDK_VALIDATION=false. */
  readonly validation: ValidationMode;
  readonly subject: SubjectKey;
  readonly label: string;
  /** CloudFormation resources in the template (AWS::CDK::Metadata not counted). */
  readonly resources: number;
  readonly resourceTypes: Record<string, number>;
  /** Size of the synthesized template (bytes): like-for-like peers produce about the same. */
  readonly templateBytes: number;
  /** See {@link resourceSignatures} (not written to the JSON). */
  readonly signatures: string[];
  /** Wall clock of the child process, spawn to exit (Node start-up + module load + synth + exit). */
  readonly synthMs: Stats;
  /** `new App()` + stack constructor + `app.synth()`, timed inside the child. */
  readonly inProcessMs: Stats;
  /**
   * Process start to `new App()`. Small, because aws-cdk-lib loads most of its modules lazily,
   * on first use: that loading is counted in `inProcessMs`.
   */
  readonly loadMs: Stats;
  /** CPU time (user + system) of the child up to the end of synth: steadier than wall time on a busy machine. */
  readonly cpuMs: Stats;
  /** Peak resident set size of the child. */
  readonly peakRssMb: Stats;
}

/** ours / peer, from the medians. */
export interface SynthComparison {
  readonly architecture: string;
  readonly validation: ValidationMode;
  readonly synthRatio: number;
  readonly inProcessRatio: number;
  readonly cpuRatio: number;
  readonly peakRssRatio: number;
  /** ours/peer of each interleaved run pair (run i of ours with run i of the peer). */
  readonly cpuPairRatios: Stats;
  readonly peakRssPairRatios: Stats;
  readonly resources: { ours: number; peer: number };
  /** Resources of ours whose type and properties the peer builds identically (logical IDs and stack-derived names normalized). */
  readonly identicalResources: number;
  /** Resource types whose count differs: type -> [ours, peer]. */
  readonly resourceTypeDifferences: Record<string, [number, number]>;
}

async function measureOnce(root: string, bundle: string, mode: ValidationMode): Promise<SynthSample> {
  const outdir = await fs.mkdtemp(path.join(os.tmpdir(), 'cip-bench-synth-'));
  try {
    const child = await runNode(bundle, [outdir], root, childEnv(mode));
    const line = child.stdout.trim().split('\n').pop() ?? '';
    const report = JSON.parse(line) as SynthReport;
    const templateText = await fs.readFile(report.templateFile, 'utf8');
    const template = JSON.parse(templateText) as { Resources?: Record<string, { Type: string }> };
    const resourceTypes: Record<string, number> = {};
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type === 'AWS::CDK::Metadata') continue;
      resourceTypes[resource.Type] = (resourceTypes[resource.Type] ?? 0) + 1;
    }
    return {
      wallMs: child.wallMs,
      inProcessMs: report.inProcessMs,
      loadMs: report.loadMs,
      cpuMs: report.cpuMs,
      maxRssMb: report.maxRssKb / 1024,
      resources: Object.values(resourceTypes).reduce((a, b) => a + b, 0),
      resourceTypes,
      templateBytes: Buffer.byteLength(templateText),
      signatures: resourceSignatures(template, path.basename(report.templateFile).replace(/\.template\.json$/, '')),
    };
  } finally {
    await fs.rm(outdir, { recursive: true, force: true });
  }
}

function summarize(arch: BenchArchitecture, validation: ValidationMode, subject: SubjectKey, samples: SynthSample[]): SynthSubjectResult {
  const counts = new Set(samples.map(s => s.resources));
  if (counts.size !== 1) {
    throw new Error(`${arch.name}/${subject}: resource count changed between runs (${[...counts].join(', ')})`);
  }
  return {
    architecture: arch.name,
    validation,
    subject,
    label: SUBJECT_LABEL[subject],
    resources: samples[0].resources,
    resourceTypes: samples[0].resourceTypes,
    templateBytes: samples[0].templateBytes,
    signatures: samples[0].signatures,
    synthMs: stats(samples.map(s => s.wallMs), 0),
    inProcessMs: stats(samples.map(s => s.inProcessMs), 0),
    loadMs: stats(samples.map(s => s.loadMs), 0),
    cpuMs: stats(samples.map(s => s.cpuMs), 0),
    peakRssMb: stats(samples.map(s => s.maxRssMb), 1),
  };
}

function compare(ours: SynthSubjectResult, peer: SynthSubjectResult): SynthComparison {
  const differences: Record<string, [number, number]> = {};
  for (const type of new Set([...Object.keys(ours.resourceTypes), ...Object.keys(peer.resourceTypes)])) {
    const [a, b] = [ours.resourceTypes[type] ?? 0, peer.resourceTypes[type] ?? 0];
    if (a !== b) differences[type] = [a, b];
  }
  const peerSignatures = new Map<string, number>();
  for (const sig of peer.signatures) peerSignatures.set(sig, (peerSignatures.get(sig) ?? 0) + 1);
  let identical = 0;
  for (const sig of ours.signatures) {
    const left = peerSignatures.get(sig) ?? 0;
    if (left > 0) { identical++; peerSignatures.set(sig, left - 1); }
  }
  const ratio = (a: Stats, b: Stats) => Number((a.median / b.median).toFixed(3));
  return {
    architecture: ours.architecture,
    validation: ours.validation,
    synthRatio: ratio(ours.synthMs, peer.synthMs),
    inProcessRatio: ratio(ours.inProcessMs, peer.inProcessMs),
    cpuRatio: ratio(ours.cpuMs, peer.cpuMs),
    peakRssRatio: ratio(ours.peakRssMb, peer.peakRssMb),
    cpuPairRatios: stats(ours.cpuMs.samples.map((v, i) => v / peer.cpuMs.samples[i]), 3),
    peakRssPairRatios: stats(ours.peakRssMb.samples.map((v, i) => v / peer.peakRssMb.samples[i]), 3),
    resources: { ours: ours.resources, peer: peer.resources },
    identicalResources: identical,
    resourceTypeDifferences: differences,
  };
}

/**
 * The architectures to measure: all, or those named in `BENCH_SYNTH_ONLY` (comma-separated, e.g.
 * `BENCH_SYNTH_ONLY=LiveOrders,IngestApi`); an unknown name is an error that lists the known ones.
 */
function selectedArchitectures(): BenchArchitecture[] {
  const only = (process.env.BENCH_SYNTH_ONLY ?? '').split(',').map(n => n.trim()).filter(n => n !== '');
  if (only.length === 0) return ARCHITECTURES;
  const unknown = only.filter(n => !ARCHITECTURES.some(a => a.name === n));
  if (unknown.length > 0) {
    throw new Error(`BENCH_SYNTH_ONLY names unknown architectures: ${unknown.join(', ')} (known: ${ARCHITECTURES.map(a => a.name).join(', ')})`);
  }
  return ARCHITECTURES.filter(a => only.includes(a.name));
}

async function runSynthSuite(ctx: SuiteContext): Promise<SuiteResult> {
  const architectures = selectedArchitectures();
  const entries: Record<string, string> = {};
  for (const arch of architectures) {
    entries[`${arch.name}.ours`] = arch.ours;
    entries[`${arch.name}.peer`] = arch.peer;
  }
  const loadAtStart = os.loadavg()[0];
  const compileStart = Date.now();
  // src/, the apps and the peers compiled file by file as jsii compiles lib/, then the same
  // lazy barrels as the package's compile task (scripts/lazy-exports.js): what users load.
  const bundles = await transpileTree(ctx.root, ['src', 'bench/apps', 'bench/peers'], entries);
  const tree = path.join(path.dirname(bundles[Object.keys(bundles)[0]]), '..', '..');
  // BENCH_SYNTH_EAGER_BARRELS=1: a diagnostic run with tsc's eager `export *` barrels (lib/ before lazy-exports).
  const eagerBarrels = process.env.BENCH_SYNTH_EAGER_BARRELS === '1';
  if (!eagerBarrels) await runNode(path.join(ctx.root, 'scripts', 'lazy-exports.js'), [path.join(tree, 'src')], ctx.root);
  ctx.progress(`compiled src/, bench/apps and bench/peers file by file (TypeScript, tsconfig.json options) with ${eagerBarrels ? 'EAGER' : 'lazy'} barrels in ${Date.now() - compileStart} ms`);

  const subjects: SynthSubjectResult[] = [];
  const comparisons: SynthComparison[] = [];
  for (const arch of architectures) {
    for (const mode of VALIDATION_MODES) {
      const samples: Record<SubjectKey, SynthSample[]> = { ours: [], peer: [] };
      const once = async (subject: SubjectKey, tag: string) => {
        const sample = await measureOnce(ctx.root, bundles[`${arch.name}.${subject}`], mode);
        ctx.progress(`${arch.name} validation ${mode.padEnd(3)} ${subject} ${tag}: ${sample.wallMs.toFixed(0)} ms wall, `
          + `${sample.inProcessMs.toFixed(0)} ms in-process, ${sample.cpuMs.toFixed(0)} ms CPU, ${sample.maxRssMb.toFixed(0)} MB, `
          + `${sample.resources} resources`);
        return sample;
      };
      for (let w = 1; w <= ctx.warmup; w++) {
        await once('ours', `warm-up ${w}/${ctx.warmup}`);
        await once('peer', `warm-up ${w}/${ctx.warmup}`);
      }
      for (let i = 1; i <= ctx.runs; i++) {
        // Alternate who goes first, so drift in machine load hits both subjects alike.
        const order: SubjectKey[] = i % 2 === 1 ? ['ours', 'peer'] : ['peer', 'ours'];
        for (const subject of order) {
          samples[subject].push(await once(subject, `run ${i}/${ctx.runs}`));
        }
      }
      const ours = summarize(arch, mode, 'ours', samples.ours);
      const peer = summarize(arch, mode, 'peer', samples.peer);
      subjects.push(ours, peer);
      comparisons.push(compare(ours, peer));
    }
  }
  const loadAtEnd = os.loadavg()[0];

  const range = (s: Stats, digits = 0) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const pairRange = (p: Stats) => `${formatRatio(p.median, 1)} (${p.min.toFixed(2)}–${p.max.toFixed(2)})`;
  const rows = subjects.map(s => {
    const c = comparisons.find(x => x.architecture === s.architecture && x.validation === s.validation)!;
    const ours = s.subject === 'ours';
    return [
      s.architecture,
      s.validation,
      s.label,
      String(s.resources),
      (s.templateBytes / 1024).toFixed(1),
      range(s.synthMs),
      range(s.cpuMs),
      range(s.peakRssMb, 1),
      ours ? formatRatio(c.cpuRatio, 1) : 'baseline',
      ours ? pairRange(c.cpuPairRatios) : '',
      ours ? formatRatio(c.peakRssRatio, 1) : 'baseline',
      ours ? pairRange(c.peakRssPairRatios) : '',
    ];
  });

  const notes = [
    `Medians of ${ctx.runs} runs per subject after ${ctx.warmup} warm-up run(s), ours and peer alternating; each run is a fresh node process synthesizing one stack.`,
    'wall ms = child wall clock, spawn to exit; CPU = user + system time of the child process up to the end of synth (the figure the goal is judged on: the machine is shared, so wall time mostly measures the neighbours); peak RSS = the child\'s process.resourceUsage().maxRSS.',
    'ratio = ours / peer of the medians (goal: ≤ 1.10×); "per run pair" = the ours/peer ratio of each interleaved run pair, median (min–max): the spread.',
    'resources = CloudFormation resources in the template (AWS::CDK::Metadata not counted); the notes list any resource type whose count differs between ours and the peer.',
    VALIDATION_MODES.includes('on')
      ? 'cfn validation: "on" is aws-cdk-lib\'s default built-in template validation (what users get); "off" is CDK_VALIDATION=false (the constructs\' own cost).'
      : 'cfn validation: "off": the installed aws-cdk-lib has no built-in template validation engine, so each synth is the constructs\' own cost.',
  ];
  if (architectures.length < ARCHITECTURES.length) notes.push(`BENCH_SYNTH_ONLY=${process.env.BENCH_SYNTH_ONLY}: only ${architectures.map(a => a.name).join(', ')} measured.`);
  if (eagerBarrels) notes.push('BENCH_SYNTH_EAGER_BARRELS=1: the library\'s barrels were left as tsc emits them (importing the package root loads every module), a diagnostic run.');
  if (process.env.BENCH_SYNTH_NO_SOURCE_MAPS === '1') notes.push('BENCH_SYNTH_NO_SOURCE_MAPS=1: every subject compiled without any source map (lib/ ships .js.map files beside the modules), a diagnostic run.');
  if (process.env.NODE_OPTIONS) {
    notes.push(`NODE_OPTIONS=${process.env.NODE_OPTIONS} was set for every child (a diagnostic run, e.g. the same young generation for both subjects: --max-semi-space-size=8).`);
  }
  const busiest = Math.max(loadAtStart, loadAtEnd);
  if (busiest > os.cpus().length * 0.75) {
    notes.push(`The machine was busy (1-minute load average up to ${busiest.toFixed(1)} on ${os.cpus().length} cores): wall times are inflated; the ratios and CPU ms are the steadier figures.`);
  }
  for (const c of comparisons.filter(x => x.validation === VALIDATION_MODES[0])) {
    const diffs = Object.entries(c.resourceTypeDifferences).map(([t, [a, b]]) => `${t} ${a} vs ${b}`);
    if (diffs.length > 0) notes.push(`${c.architecture}: resource types differ (ours vs peer): ${diffs.join(', ')}.`);
    notes.push(`${c.architecture}: ${c.identicalResources} of ${c.resources.ours} resources identical in ours and the peer (type and every property, logical IDs and stack-derived names normalized).`);
    if (c.resources.ours !== c.resources.peer) notes.push(`${c.architecture}: the peer builds ${c.resources.peer} resources and ours ${c.resources.ours}: the ratio is not like for like.`);
  }
  for (const c of comparisons) {
    const over = [c.cpuRatio > 1.1 ? `CPU ${c.cpuRatio.toFixed(2)}×` : '', c.peakRssRatio > 1.1 ? `peak RSS ${c.peakRssRatio.toFixed(2)}×` : ''].filter(Boolean);
    notes.push(`${c.architecture} (validation ${c.validation}): goal ≤ 1.10× CPU and peak RSS: ${over.length === 0 ? 'met' : `NOT met (${over.join(', ')})`}.`);
  }

  return {
    table: {
      title: 'cdk synth: reference architectures vs the same resources in plain L2 constructs',
      columns: ['architecture', 'cfn validation', 'subject', 'resources', 'template KiB', 'wall ms (min–max)', 'CPU ms (min–max)', 'peak RSS MB (min–max)',
        'CPU ratio', 'CPU ratio per run pair (min–max)', 'RSS ratio', 'RSS ratio per run pair (min–max)'],
      numeric: [false, false, false, true, true, true, true, true, true, true, true, true],
      rows,
    },
    notes,
    summary: comparisons.map(c => `${c.architecture} (validation ${c.validation}): synth ${c.synthRatio.toFixed(2)}× peer `
      + `(CPU ${c.cpuRatio.toFixed(2)}×), peak RSS ${c.peakRssRatio.toFixed(2)}×, resources ${c.resources.ours} vs ${c.resources.peer}`),
    settings: {
      runs: ctx.runs,
      warmup: ctx.warmup,
      validationModes: VALIDATION_MODES,
      nodeOptions: process.env.NODE_OPTIONS ?? '',
      eagerBarrels,
      loadAverage1m: { start: Number(loadAtStart.toFixed(2)), end: Number(loadAtEnd.toFixed(2)) },
      order: 'alternating (ours first on odd runs)',
      architectures,
    },
    results: { subjects: subjects.map(({ signatures, ...rest }) => rest), comparisons },
  };
}

export const synthSuite: Suite = {
  name: 'synth',
  description: 'cdk synth time and peak memory of each reference architecture vs the same resources in plain aws-cdk-lib L2 constructs',
  run: runSynthSuite,
};
