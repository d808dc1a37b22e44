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

// One program for every example: aws-cdk-lib's types are loaded once, not once per example
// (the per-example programs took ~20 s each on 2 cores).
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'readme-'));
const files = examples.map((code, i) => {
  const file = path.join(dir, `example-${i}.ts`);
  fs.writeFileSync(file, code);
  return file;
});
let diagnosticsByFile: Map<string, string[]> | undefined;
function diagnosticsOf(file: string): string[] {
  if (!diagnosticsByFile) {
    const program = ts.createProgram(files, {
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
    diagnosticsByFile = new Map(files.map(f => [f, [] as string[]]));
    for (const d of ts.getPreEmitDiagnostics(program)) {
      const key = d.file?.fileName && diagnosticsByFile.has(path.normalize(d.file.fileName)) ? path.normalize(d.file.fileName) : files[0];
      diagnosticsByFile.get(key)!.push(`${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    }
  }
  return diagnosticsByFile.get(file)!;
}

describe.each(examples.map((code, i) => [i, code] as const))('README TypeScript example %d', (i, code) => {
  test('type-checks against the library', () => {
    expect(diagnosticsOf(files[i])).toEqual([]);
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
