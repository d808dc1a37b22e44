import * as fs from 'fs';
import * as path from 'path';
import { Token, Tokenization } from 'aws-cdk-lib';

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
  return `const __RESOLVER_CONFIG__ = ${configLiteral(config)};\n${fs.readFileSync(file, 'utf8')}`;
}

/**
 * The config as a JavaScript literal. A number given as a token (a CfnParameter) stays a token
 * that CloudFormation fills in, unquoted, instead of its encoded double (JSON.stringify of a token).
 */
function configLiteral(config: object): string {
  const tokens: number[] = [];
  const json = JSON.stringify(config, (_key, value) => (typeof value === 'number' && Token.isUnresolved(value) ? `__NUMBER_TOKEN_${tokens.push(value) - 1}__` : value));
  return json.replace(/"__NUMBER_TOKEN_(\d+)__"/g, (_match, i: string) => Tokenization.stringifyNumber(tokens[Number(i)]));
}
