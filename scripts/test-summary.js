#!/usr/bin/env node
/**
 * Prints one closing line for the whole suite from the JUnit reports the runs wrote
 * (jest-junit: test-reports/*.xml), e.g. `summary: 120 passed, 0 failed, 0 skipped`.
 * Exits non-zero when a report has failures or errors, or when no test ran at all.
 */
const fs = require('fs');
const path = require('path');

const dir = path.join(__dirname, '..', 'test-reports');
const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => f.endsWith('.xml')) : [];
let tests = 0; let failures = 0; let skipped = 0;
for (const file of files) {
  const xml = fs.readFileSync(path.join(dir, file), 'utf8');
  const root = /<testsuites\b([^>]*)>/.exec(xml);
  if (!root) continue;
  const attr = name => Number((new RegExp(`\\b${name}="(\\d+)"`).exec(root[1]) || [])[1] || 0);
  tests += attr('tests');
  failures += attr('failures') + attr('errors');
  skipped += (xml.match(/<skipped\s*\/>/g) || []).length;
  console.log(`${file}: ${attr('tests')} tests, ${attr('failures') + attr('errors')} failed`);
}
const passed = tests - failures - skipped;
console.log(`summary: ${passed} passed, ${failures} failed, ${skipped} skipped`);
process.exit(failures > 0 || tests === 0 ? 1 : 0);
