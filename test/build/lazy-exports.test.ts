/**
 * scripts/lazy-exports.js (run by the compile task on lib/) turns the barrels' `export *` into
 * getters that load a module on first use. These tests prove it changes when modules load and
 * nothing else: same names, same order, same objects, the same precedence as `__exportStar`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { transpileTree } from '../../bench/lib/compile';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'lazy-exports.js');

function lazify(dir: string): string {
  return execFileSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
}

/** Loads `file` in a fresh child node and returns what `probe` (a JS expression over `m`, the module) printed. */
function probe(file: string, expression: string): unknown {
  const out = execFileSync(process.execPath, ['-e', `const m = require(${JSON.stringify(file)}); process.stdout.write(JSON.stringify(${expression}));`],
    { encoding: 'utf8', cwd: ROOT, env: { ...process.env, CDK_VALIDATION: 'false' } });
  return JSON.parse(out);
}

describe('lazy-exports on a small tsc-style package', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lazy-exports-'));
    const helpers = [
      '"use strict";',
      'var __createBinding = (this && this.__createBinding) || function(o, m, k) { Object.defineProperty(o, k, { enumerable: true, get: function() { return m[k]; } }); };',
      'var __exportStar = (this && this.__exportStar) || function(m, exports) { for (var p in m) if (p !== "default" && !Object.prototype.hasOwnProperty.call(exports, p)) __createBinding(exports, m, p); };',
      'Object.defineProperty(exports, "__esModule", { value: true });',
    ];
    fs.writeFileSync(path.join(dir, 'a.js'), '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'
      + 'globalThis.loaded = [...(globalThis.loaded ?? []), "a"];\nclass A {}\nexports.A = A;\nexports.SHARED = "from a";\n');
    fs.writeFileSync(path.join(dir, 'b.js'), '"use strict";\nObject.defineProperty(exports, "__esModule", { value: true });\n'
      + 'globalThis.loaded = [...(globalThis.loaded ?? []), "b"];\nclass B {}\nexports.B = B;\nexports.SHARED = "from b";\n');
    fs.writeFileSync(path.join(dir, 'index.js'), [...helpers, '__exportStar(require("./a"), exports);', '__exportStar(require("./b"), exports);', ''].join('\n'));
    fs.mkdirSync(path.join(dir, 'eager'));
    for (const f of ['a.js', 'b.js', 'index.js']) fs.copyFileSync(path.join(dir, f), path.join(dir, 'eager', f));
    expect(lazify(dir)).toContain('2 barrel file(s)');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('loads nothing until an export is used, then only the module that has it', () => {
    expect(probe(path.join(dir, 'index.js'), '[globalThis.loaded ?? [], (m.B, globalThis.loaded)]')).toEqual([[], ['b']]);
  });

  test('same names in the same order, and the first export of a name wins as with __exportStar', () => {
    const expression = '[Object.keys(m), m.SHARED, m.A === require("./a").A]'.replace('./a', path.join(dir, 'a.js'));
    const eager = probe(path.join(dir, 'eager', 'index.js'), '[Object.keys(m), m.SHARED]');
    expect(eager).toEqual([['A', 'SHARED', 'B'], 'from a']);
    expect(probe(path.join(dir, 'index.js'), expression)).toEqual([['A', 'SHARED', 'B'], 'from a', true]);
  });
});

describe('lazy-exports on this library (src/ compiled file by file as jsii compiles lib/)', () => {
  let base: string;
  let eager: string;
  let lazy: string;
  beforeAll(async () => {
    // Inside the repository, so the compiled modules resolve aws-cdk-lib from node_modules.
    fs.mkdirSync(path.join(ROOT, 'node_modules', '.cache'), { recursive: true });
    base = fs.mkdtempSync(path.join(ROOT, 'node_modules', '.cache', 'lazy-exports-test-'));
    eager = path.join(base, 'eager');
    lazy = path.join(base, 'lazy');
    await transpileTree(ROOT, ['src'], {}, eager);
    await transpileTree(ROOT, ['src'], {}, lazy);
    lazify(path.join(lazy, 'src'));
  }, 120_000);
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  test('the package root exports the same names in the same order', () => {
    const names = probe(path.join(eager, 'src', 'index.js'), 'Object.keys(m)') as string[];
    expect(names.length).toBeGreaterThan(50);
    expect(probe(path.join(lazy, 'src', 'index.js'), 'Object.keys(m)')).toEqual(names);
  });

  test('every export is the object its module exports (classes, enums, constants)', () => {
    const mismatches = probe(path.join(lazy, 'src', 'index.js'), `(() => {
      const fs = require('fs'), path = require('path'), bad = [];
      const walk = d => fs.readdirSync(d, { withFileTypes: true }).flatMap(e => e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)]);
      const owners = new Map();
      for (const f of walk(${JSON.stringify(path.join(lazy, 'src'))})) {
        if (!f.endsWith('.js') || path.basename(f) === 'index.js') continue;
        for (const [k, v] of Object.entries(require(f))) if (!owners.has(k)) owners.set(k, v);
      }
      for (const k of Object.keys(m)) if (m[k] !== owners.get(k)) bad.push(k);
      return bad;
    })()`);
    expect(mismatches).toEqual([]);
  });

  test('importing the package root and using one stack loads only that stack\'s modules', () => {
    const loaded = probe(path.join(lazy, 'src', 'index.js'),
      '[Object.keys(require.cache).filter(f => f.includes(\'/src/\')).length, (m.MessageBackboneStack, Object.keys(require.cache).filter(f => f.includes(\'/src/\')).length)]') as number[];
    const all = probe(path.join(eager, 'src', 'index.js'), 'Object.keys(require.cache).filter(f => f.includes(\'/src/\')).length') as number;
    expect(loaded[0]).toBeLessThan(all / 4);
    expect(loaded[1]).toBeLessThan(all / 2);
  });
});
