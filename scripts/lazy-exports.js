#!/usr/bin/env node
/* eslint-disable */
/**
 * Makes the compiled barrel files (`index.js`) of the library load their modules on first use.
 *
 * tsc compiles `export * from './x'` to `__exportStar(require("./x"), exports)`: importing the
 * package root then loads every module of the library (≈120 files, ≈100 ms of CPU and ≈10 MB
 * at every `cdk synth`), though an app uses a few of them. This rewrites each such line into
 * getters for the same names that `require("./x")` on first access, as aws-cdk-lib's own build
 * does for its modules. Names, order and precedence are those of `__exportStar` (first export
 * of a name wins); classes are the same objects. Run after compiling: `node scripts/lazy-exports.js lib`.
 */
const fs = require('fs');
const path = require('path');

const EXPORT_STAR = /^__exportStar\(require\("(\.[^"]+)"\), exports\);$/;
const HELPER = 'function __lazyExport(names, load) { for (const name of names) if (!Object.prototype.hasOwnProperty.call(exports, name)) Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => load()[name] }); }';

function barrels(dir) {
  const found = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...barrels(full));
    else if (entry.name.endsWith('.js')) {
      const text = fs.readFileSync(full, 'utf8');
      if (text.split('\n').some(line => EXPORT_STAR.test(line))) found.push(full);
    }
  }
  return found;
}

function lazify(dir) {
  const files = barrels(path.resolve(dir));
  // Read every module's export names before rewriting anything (the modules as tsc emitted them).
  const plans = files.map(file => {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    return {
      file,
      lines: lines.map(line => {
        const m = EXPORT_STAR.exec(line);
        if (!m) return line;
        const target = require.resolve(path.resolve(path.dirname(file), m[1]));
        const names = Object.keys(require(target)).filter(n => n !== 'default' && n !== '__esModule');
        return `__lazyExport(${JSON.stringify(names)}, () => require(${JSON.stringify(m[1])}));`;
      }),
    };
  });
  for (const { file, lines } of plans) {
    const at = lines.findIndex(line => line.startsWith('__lazyExport('));
    lines.splice(at, 0, HELPER);
    fs.writeFileSync(file, lines.join('\n'));
  }
  return files.length;
}

if (require.main === module) {
  const dir = process.argv[2] ?? 'lib';
  const count = lazify(dir);
  process.stdout.write(`lazy-exports: ${count} barrel file(s) in ${dir} now load their modules on first use\n`);
}

module.exports = { lazify };
