#!/usr/bin/env node
/*
 * Counts the bad-input cases asserted through the one shared helper (expectBadInput, test/support)
 * per construct. Runs the test files that call it once, with BAD_INPUT_LOG set: the helper appends
 * one line per passing case (construct class at the error's path, rule code, prop). A case is one
 * distinct (test file, test, construct, path, code, prop, value).
 *
 *   node scripts/count-bad-input.js [--min 150] [--json out.json]
 *
 * Exit 1 when the total is below --min (default 150, issue #11).
 */
const { execFileSync, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = process.argv.slice(2);
const opt = (name, dflt) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : dflt; };
const min = Number(opt('--min', '150'));
const root = path.resolve(__dirname, '..');

const files = execFileSync('grep', ['-rl', '--include=*.test.ts', 'expectBadInput', 'test'], { cwd: root, encoding: 'utf8' })
  .split('\n').filter(Boolean).sort();
const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bad-input-')), 'cases.jsonl');
fs.writeFileSync(log, '');
const run = spawnSync('npx', ['jest', '--coverage=false', '--silent', ...files], {
  cwd: root, stdio: ['ignore', 'inherit', 'inherit'],
  env: { ...process.env, BAD_INPUT_LOG: log, JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: '20', CDK_DISABLE_VERSION_CHECK: '1' },
});

// The owning construct: the class at the error's path in the helper's stack; for stacks a test
// builds in its own app (architectures, synth-time checks), the rule code's block, else the test file.
const PREFIXES = [
  ['SECURE_QUEUE_', 'SecureQueue'], ['SECURE_TOPIC_', 'SecureTopic'], ['CONSUMER_', 'consumer module'], ['FAN_OUT_', 'TopicFanOut'], ['BACKLOG_SCALING_', 'BacklogScaling'],
];
const seen = new Map();
for (const line of fs.readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
  const c = JSON.parse(line);
  const key = [c.file, c.test, c.construct, c.path, c.code, c.prop, c.value].join('\u0000');
  if (seen.has(key)) continue;
  let construct = c.construct;
  if (!construct || construct === 'Stack' || construct === 'Construct') {
    const byCode = PREFIXES.find(([p]) => (c.code ?? '').startsWith(p));
    construct = byCode ? byCode[1] : `${c.construct === 'Stack' ? c.construct + ' ' : ''}(${path.basename(c.file, '.test.ts')})`;
    if (!byCode && c.file.includes('/architectures/')) construct = `architecture stack (${path.basename(c.file, '.test.ts')})`;
  }
  seen.set(key, { ...c, construct });
}
const per = new Map();
for (const c of seen.values()) per.set(c.construct, (per.get(c.construct) ?? 0) + 1);
const rows = [...per.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
const width = Math.max(...rows.map(([n]) => n.length), 9);
console.log(`\nbad-input cases through expectBadInput, per construct (${files.length} test files)`);
for (const [name, n] of rows) console.log(`  ${name.padEnd(width)}  ${String(n).padStart(4)}`);
const total = seen.size;
console.log(`  ${'TOTAL'.padEnd(width)}  ${String(total).padStart(4)}   (issue #11 asks >= ${min})`);
const out = opt('--json');
if (out) fs.writeFileSync(out, JSON.stringify({ total, perConstruct: Object.fromEntries(rows), cases: [...seen.values()] }, null, 2));
if (run.status !== 0) { console.error('some of those tests failed: the count above covers only the cases that passed'); process.exit(1); }
if (total < min) { console.error(`only ${total} cases, fewer than ${min}`); process.exit(1); }
