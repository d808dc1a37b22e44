import { promises as fs } from 'fs';
import * as path from 'path';
// esbuild is a devDependency on purpose: bench/ is not shipped (see bench/README.md).
import { build, Plugin } from 'esbuild';
import * as ts from 'typescript';

/**
 * Bundles measured entry points to CommonJS once, before any measurement, so no run pays for
 * TypeScript compilation. aws-cdk-lib and constructs stay external (loaded from node_modules,
 * as in a user's app); the library's own code and the peers are bundled.
 *
 * Bundles go to node_modules/.cache/cdk-integration-patterns-bench/ (ignored by git, and
 * `require('aws-cdk-lib')` resolves from there).
 */
export async function compileEntries(root: string, entries: Record<string, string>): Promise<Record<string, string>> {
  const outdir = path.join(root, 'node_modules', '.cache', 'cdk-integration-patterns-bench');
  await fs.mkdir(outdir, { recursive: true });
  const outputs: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = path.join(outdir, `${name}.js`);
    await build({
      entryPoints: [path.join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: `node${process.versions.node.split('.')[0]}`,
      packages: 'external',
      logLevel: 'warning',
      plugins: [keepSourceDirname(root)],
    });
    outputs[name] = outfile;
  }
  return outputs;
}

/**
 * In a bundle, `__dirname` is the bundle's folder; our sources use it to find their Lambda
 * assets (`assets/lambda/...`). Replace it in every repository source with the folder the
 * source lives in, so asset paths resolve exactly as they do from `lib/`.
 */
function keepSourceDirname(root: string): Plugin {
  return {
    name: 'keep-source-dirname',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, async args => {
        if (!args.path.startsWith(root) || args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await fs.readFile(args.path, 'utf8');
        return { contents: source.replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path))), loader: 'ts' };
      });
    },
  };
}

/**
 * Compiles every `.ts` file under `dirs` (relative to `root`) file by file to CommonJS with the
 * TypeScript compiler and the project's tsconfig.json options (as jsii emits the package's `lib/`:
 * one module per source, `src/index.ts` re-exporting everything, `__importStar` returning
 * aws-cdk-lib's modules as they are; source maps as the tsconfig says, i.e. `.js.map` files beside
 * the modules), keeping the folder layout, into
 * node_modules/.cache/cdk-integration-patterns-bench/tree/. So an app that imports the package
 * root loads every module of the library, as a user's app does: a bundler's tree shaking (and
 * esbuild's `__toESM`, which copies every export of every `import * as`) would measure
 * something users never run. Each source's `__dirname` is kept (see {@link keepSourceDirname}).
 * Returns the compiled path of each entry, keyed as given.
 */
export async function transpileTree(root: string, dirs: string[], entries: Record<string, string>,
  outdir = path.join(root, 'node_modules', '.cache', 'cdk-integration-patterns-bench', 'tree')): Promise<Record<string, string>> {
  await fs.rm(outdir, { recursive: true, force: true });
  const config = ts.readConfigFile(path.join(root, 'tsconfig.json'), ts.sys.readFile);
  if (config.error) throw new Error(ts.flattenDiagnosticMessageText(config.error.messageText, '\n'));
  const { options } = ts.convertCompilerOptionsFromJson(config.config.compilerOptions, root);
  const compilerOptions: ts.CompilerOptions = { ...options, module: ts.ModuleKind.CommonJS, declaration: false, noEmit: false };
  // BENCH_SYNTH_NO_SOURCE_MAPS=1: a diagnostic, every subject compiled without any source map (not even the URL line).
  if (process.env.BENCH_SYNTH_NO_SOURCE_MAPS === '1') Object.assign(compilerOptions, { inlineSourceMap: false, inlineSources: false, sourceMap: false });
  for (const dir of dirs) {
    for (const file of await listTs(path.join(root, dir))) {
      const source = (await fs.readFile(file, 'utf8')).replace(/\b__dirname\b/g, JSON.stringify(path.dirname(file)));
      const { outputText, sourceMapText } = ts.transpileModule(source, { compilerOptions, fileName: file });
      const outfile = path.join(outdir, path.relative(root, file)).replace(/\.ts$/, '.js');
      await fs.mkdir(path.dirname(outfile), { recursive: true });
      await fs.writeFile(outfile, outputText);
      // tsconfig.json's `sourceMap` (as lib/ ships): the map is a file beside the module, which
      // Node reads only with --enable-source-maps; the module keeps only its sourceMappingURL line.
      if (sourceMapText !== undefined) await fs.writeFile(`${outfile}.map`, sourceMapText);
    }
  }
  const outputs: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    outputs[name] = path.join(outdir, entry.replace(/\.ts$/, '.js'));
  }
  return outputs;
}

async function listTs(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...await listTs(full));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(full);
  }
  return found;
}
