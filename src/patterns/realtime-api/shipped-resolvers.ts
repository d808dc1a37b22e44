import * as fs from 'fs';
import * as path from 'path';

/** Where the build puts the bundled APPSYNC_JS resolvers (shipped in the package). */
const ASSET_DIR = path.join(__dirname, '..', '..', '..', 'assets', 'appsync-resolvers');

/** AppSync refuses resolver and function code larger than this (32 KB). */
export const RESOLVER_CODE_LIMIT_BYTES = 32_768;

/**
 * The code AppSync receives for a shipped resolver: one line of settings, then the shipped module
 * (it reads them from `__RESOLVER_CONFIG__`; see lambda/appsync-resolvers/config.ts).
 *
 * Internal to the library.
 */
export function shippedResolverCode(name: 'get-item' | 'versioned-update' | 'changes-since' | 'publish', config: object): string {
  const file = path.join(ASSET_DIR, `${name}.js`);
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: run \`npx projen bundle\` (the build bundles the shipped AppSync resolvers)`);
  }
  return `const __RESOLVER_CONFIG__ = ${JSON.stringify(config)};\n${fs.readFileSync(file, 'utf8')}`;
}
