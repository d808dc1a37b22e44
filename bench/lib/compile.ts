import { promises as fs } from 'fs';
import * as path from 'path';
// esbuild is a devDependency on purpose: bench/ is not shipped (see bench/README.md).
import { build, Plugin } from 'esbuild';

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
