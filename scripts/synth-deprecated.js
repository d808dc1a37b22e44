#!/usr/bin/env node
/**
 * Synthesizes every reference architecture (bin/reference-app.ts) with JSII_DEPRECATED=fail:
 * any use of a deprecated aws-cdk-lib API on the way throws, so the library never prints a
 * deprecation warning its user did not cause. Prints the stacks it synthesized.
 *
 *   npx projen bundle && node scripts/synth-deprecated.js      (or: npx projen synth:deprecated)
 *
 * One exemption, exact and self-checking: aws-cdk-lib 2.257's own TableV2 constructor hands
 * `encryptedResource` and `policyResource` to `new TableGrants(...)`, and jsii's check flags the
 * keys even when their value is undefined, so every `new dynamodb.TableV2(...)` throws under
 * JSII_DEPRECATED=fail whatever its props (aws/aws-cdk#38709; fixed upstream by #38806, and the
 * TableV2 of aws-cdk-lib 2.276.0 no longer passes them). No construct-level way around it keeps
 * AWS::DynamoDB::GlobalTable (dynamodb.Table is AWS::DynamoDB::Table: a replacement). The
 * exemption applies only when the call comes from aws-cdk-lib's table-v2.js with exactly the
 * values TableV2 passes; the rest of those props is still checked, and every other
 * deprecation anywhere still fails. When aws-cdk-lib no longer needs it, the run fails and says
 * to remove it (a tripwire), so it cannot outlive the bug.
 */
const fs = require('fs');
const os = require('os');
const path = require('path');

process.env.JSII_DEPRECATED = 'fail';
const root = path.join(__dirname, '..');
const cdkVersion = require(require.resolve('aws-cdk-lib/package.json', { paths: [root] })).version;

// --- the one exemption ------------------------------------------------------------------------
const warningsPath = require.resolve('aws-cdk-lib/.warnings.jsii.js', { paths: [root] });
const original = require(warningsPath);
const TABLE_GRANTS = 'aws_cdk_lib_aws_dynamodb_TableGrantsProps';
const TABLE_V2 = /aws-cdk-lib[\\/]aws-dynamodb[\\/]lib[\\/]table-v2\.js/;
const TABLE_GRANTS_JS = /aws-cdk-lib[\\/]aws-dynamodb[\\/]lib[\\/]table-grants\.js/;
let exempted = 0;
function tableGrantsProps(p) {
  if (p != null && ('encryptedResource' in p || 'policyResource' in p) && fromTableV2Constructor()
      && [undefined, p.table].includes(p.encryptedResource) && [undefined, p.table].includes(p.policyResource)) {
    exempted++;
    const { encryptedResource, policyResource, ...rest } = p;
    return original[TABLE_GRANTS](rest);
  }
  return original[TABLE_GRANTS](p);
}
/** The frame right after TableGrants' constructor is aws-cdk-lib's table-v2.js (not user code). */
function fromTableV2Constructor() {
  const frames = (new Error().stack || '').split('\n').slice(1);
  const grants = frames.findIndex(f => TABLE_GRANTS_JS.test(f));
  return grants >= 0 && TABLE_V2.test(frames[grants + 1] || '');
}
// aws-cdk-lib loads this module lazily on first use and calls it through module.exports, so
// replacing the cached exports here (before anything else loads) routes every check through us.
require.cache[warningsPath].exports = new Proxy(original, {
  get: (target, prop) => (prop === TABLE_GRANTS ? tableGrantsProps : target[prop]),
});

// --- synthesize the reference app -------------------------------------------------------------
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'synth-deprecated-'));
process.env.CDK_OUTDIR = outdir;
require(require.resolve('ts-node', { paths: [root] })).register({
  transpileOnly: true,
  preferTsExts: true,
  project: path.join(root, 'bin', 'tsconfig.json'),
});
const started = Date.now();
try {
  require(path.join(root, 'bin', 'reference-app.ts'));
} catch (err) {
  console.error(`synth:deprecated: FAILED with JSII_DEPRECATED=fail (aws-cdk-lib ${cdkVersion}):`);
  console.error(err && err.stack ? err.stack : err);
  process.exit(1);
}
const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
const stacks = Object.entries(manifest.artifacts || {}).filter(([, a]) => a.type === 'aws:cloudformation:stack');
for (const [id, artifact] of stacks) {
  const template = JSON.parse(fs.readFileSync(path.join(outdir, artifact.properties.templateFile), 'utf8'));
  console.log(`synth:deprecated: ${id}: ${Object.keys(template.Resources || {}).length} resources, no deprecated API used`);
}
fs.rmSync(outdir, { recursive: true, force: true });
console.log(`synth:deprecated: ${stacks.length} reference architecture(s) synthesized with JSII_DEPRECATED=fail `
  + `(aws-cdk-lib ${cdkVersion}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (stacks.length === 0) {
  console.error('synth:deprecated: no stack was synthesized');
  process.exit(1);
}
if (exempted > 0) {
  console.log(`synth:deprecated: exempted ${exempted} check(s) of TableGrantsProps#encryptedResource/#policyResource that aws-cdk-lib ${cdkVersion}'s `
    + 'own TableV2 constructor makes (aws/aws-cdk#38709, fixed upstream by #38806; see scripts/synth-deprecated.js)');
} else {
  console.error(`synth:deprecated: the TableV2 exemption was not needed with aws-cdk-lib ${cdkVersion}: remove it from scripts/synth-deprecated.js`);
  process.exit(1);
}
