import * as fs from 'fs';
import { createRequire } from 'module';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The README's TypeScript examples are part of the API: they must type-check against the
 * library's source and synthesize without error.
 */
const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map(m => m[1]);

test('the README has TypeScript examples', () => {
  expect(examples.length).toBeGreaterThan(0);
});

describe.each(examples.map((code, i) => [i, code] as const))('README TypeScript example %d', (i, code) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
  const file = path.join(dir, `example-${i}.ts`);
  fs.writeFileSync(file, code);

  test('type-checks against the library', () => {
    const program = ts.createProgram([file], {
      strict: true,
      ignoreDeprecations: '6.0', // baseUrl + paths: the simplest way to map the package name to src/
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [path.join(root, 'node_modules/@types')],
      baseUrl: root,
      paths: { 'cdk-integration-patterns': ['src/index.ts'], '*': ['node_modules/*'] },
    });
    const diagnostics = ts.getPreEmitDiagnostics(program)
      .map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });

  test('synthesizes', () => {
    const js = ts.transpileModule(`${code}\nexport const __app = app;`, {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const exports: { __app?: { synth(): unknown } } = {};
    const requireFromRoot = createRequire(path.join(root, 'package.json'));
    const load = (id: string) => requireFromRoot(id === 'cdk-integration-patterns' ? './src' : id);
    new Function('require', 'exports', js)(load, exports);
    expect(exports.__app).toBeDefined();
    expect(() => exports.__app!.synth()).not.toThrow();
  });
});
