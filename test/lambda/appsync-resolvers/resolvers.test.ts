/**
 * The shipped APPSYNC_JS resolvers (lambda/appsync-resolvers/), bundled as the package ships them
 * and run against the documented APPSYNC_JS semantics in ./appsync-js-runtime.ts.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { BUNDLE_ARGS, DataSource, runUnitResolver, shippedCode, shippedResolver, shippedResolverNames, withConfig } from './appsync-js-runtime';

const NOW = Date.parse('2026-12-01T12:00:00.000Z');
const config = {
  keyAttribute: 'id',
  keyArgument: 'id',
  versionAttribute: 'version',
  expectedVersionArgument: 'expectedVersion',
  updatedAtAttribute: 'updatedAt',
  feedAttribute: 'changeFeed',
  feedValue: 'orders',
  deltaIndexName: 'byUpdatedAt',
  updatableArguments: ['status', 'note'],
  maxPageSize: 100,
  overlapSeconds: 5,
};
const load = (name: string) => shippedResolver(name, config, { now: () => NOW });
const canned = (outcome: Awaited<ReturnType<DataSource>>): DataSource => async () => outcome;

describe('getItem', () => {
  const r = load('get-item');
  test('strongly consistent GetItem by the configured key', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o-1' } }, canned({ result: { id: 'o-1', version: 2 } }));
    expect(out.requestObject).toEqual({ operation: 'GetItem', key: { id: { S: 'o-1' } }, consistentRead: true });
    expect(out).toMatchObject({ data: { id: 'o-1', version: 2 }, errors: [] });
  });
  test('a missing item resolves to null without an error', async () => {
    expect(await runUnitResolver(r, { args: { id: 'nope' } }, canned({ result: null }))).toMatchObject({ data: null, errors: [] });
    expect(await runUnitResolver(r, { args: { id: 'nope' } }, canned({}))).toMatchObject({ data: null, errors: [] });
  });
  test('a data source error becomes the field error', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o' } }, canned({ error: { type: 'DynamoDB:ProvisionedThroughputExceededException', message: 'slow down' } }));
    expect(out).toEqual(expect.objectContaining({ data: null, errors: [expect.objectContaining({ message: 'slow down', errorType: 'DynamoDB:ProvisionedThroughputExceededException' })] }));
  });
});

describe('versionedUpdate', () => {
  const r = load('versioned-update');
  const stamp = '2026-12-01T12:00:00.000Z';

  test('version 0 creates: the item must not exist', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o-1', expectedVersion: 0, status: 'PLACED' } }, canned({ result: { id: 'o-1', version: 1 } }));
    expect(out.requestObject).toEqual({
      operation: 'UpdateItem',
      key: { id: { S: 'o-1' } },
      update: {
        expression: 'SET #version = :next, #updatedAt = :now, #feed = :feed, #f0 = :f0',
        expressionNames: { '#version': 'version', '#updatedAt': 'updatedAt', '#feed': 'changeFeed', '#f0': 'status' },
        expressionValues: { ':next': { N: '1' }, ':now': { S: stamp }, ':feed': { S: 'orders' }, ':f0': { S: 'PLACED' } },
      },
      condition: { expression: 'attribute_not_exists(#key)', expressionNames: { '#key': 'id' } },
    });
    expect(out).toMatchObject({ data: { id: 'o-1', version: 1 }, errors: [] });
  });

  test('version n updates only if the item is still at n, and writes n + 1', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o-1', expectedVersion: 3, status: 'SHIPPED' } }, canned({ result: {} }));
    const req = out.requestObject as any;
    expect(req.condition).toEqual({ expression: '#version = :expected', expressionValues: { ':expected': { N: '3' } } });
    expect(req.update.expressionValues[':next']).toEqual({ N: '4' });
  });

  test('arguments not sent stay as they are; arguments sent as null are removed', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o', expectedVersion: 1, note: null } }, canned({ result: {} }));
    const req = out.requestObject as any;
    expect(req.update.expression).toBe('SET #version = :next, #updatedAt = :now, #feed = :feed REMOVE #f1');
    expect(req.update.expressionNames['#f1']).toBe('note');
    expect(req.update.expressionNames['#f0']).toBeUndefined();
  });

  test('every name and value the request carries is used by its expression (DynamoDB refuses unused ones)', async () => {
    for (const args of [{ id: 'a', expectedVersion: 0, status: 'X' }, { id: 'a', expectedVersion: 7, note: null, status: 'Y' }]) {
      const req = (await runUnitResolver(r, { args }, canned({ result: {} }))).requestObject as any;
      const text = `${req.update.expression} ${req.condition.expression}`;
      const names = { ...req.update.expressionNames, ...req.condition.expressionNames };
      const values = { ...req.update.expressionValues, ...req.condition.expressionValues };
      for (const n of Object.keys(names)) expect(text).toContain(n);
      for (const v of Object.keys(values)) expect(text).toContain(v);
    }
  });

  test.each([
    ['missing', undefined],
    ['negative', -1],
    ['fractional', 1.5],
    ['a string', '3'],
  ])('expectedVersion %s is a ValidationError and nothing is written', async (_n, expectedVersion) => {
    let called = false;
    const out = await runUnitResolver(r, { args: { id: 'o', expectedVersion } }, async () => { called = true; return {}; });
    expect(called).toBe(false);
    expect(out.data).toBeNull();
    expect(out.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringContaining('expectedVersion must be a whole number >= 0') })]);
  });

  test('a stale version is a ConflictError carrying the server\'s current item and both versions', async () => {
    const currentItem = { id: 'o-1', version: 5, status: 'CANCELLED', updatedAt: '2026-12-01T11:59:00.000Z' };
    const out = await runUnitResolver(
      r,
      { args: { id: 'o-1', expectedVersion: 4, status: 'SHIPPED' } },
      canned({ result: currentItem, error: { type: 'DynamoDB:ConditionalCheckFailedException', message: 'The conditional request failed' } }),
    );
    expect(out.data).toBeNull();
    expect(out.errors).toEqual([{
      message: expect.stringMatching(/^Version conflict on id "o-1": expected version 4, the item is at version 5\. Merge/),
      errorType: 'ConflictError',
      data: currentItem,
      errorInfo: { expectedVersion: 4, currentVersion: 5 },
    }]);
  });

  test('a conflict on an item that does not exist carries null data', async () => {
    const out = await runUnitResolver(
      r,
      { args: { id: 'gone', expectedVersion: 2 } },
      canned({ result: null, error: { type: 'DynamoDB:ConditionalCheckFailedException', message: 'failed' } }),
    );
    expect(out.errors[0]).toMatchObject({ errorType: 'ConflictError', data: null, errorInfo: { expectedVersion: 2, currentVersion: null } });
    expect(out.errors[0].message).toContain('no version (it does not exist)');
  });

  test('other data source errors pass through with their type', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o', expectedVersion: 1 } }, canned({ error: { type: 'DynamoDB:AccessDeniedException', message: 'denied' } }));
    expect(out.errors).toEqual([expect.objectContaining({ errorType: 'DynamoDB:AccessDeniedException', message: 'denied' })]);
  });
});

describe('changesSince', () => {
  const r = load('changes-since');
  const page = { items: [{ id: 'a', version: 2 }], nextToken: 'tok', scannedCount: 1 };

  test('queries the change-feed index from `since`, oldest first, a page at a time', async () => {
    const out = await runUnitResolver(r, { args: { since: '2026-12-01T10:00:00.000Z', limit: 20 } }, canned({ result: page }));
    expect(out.requestObject).toEqual({
      operation: 'Query',
      index: 'byUpdatedAt',
      query: {
        expression: '#feed = :feed AND #updatedAt >= :since',
        expressionNames: { '#feed': 'changeFeed', '#updatedAt': 'updatedAt' },
        expressionValues: { ':feed': { S: 'orders' }, ':since': { S: '2026-12-01T10:00:00.000Z' } },
      },
      limit: 20,
      scanIndexForward: true,
    });
    expect(out.data).toEqual({ items: page.items, nextToken: 'tok', nextSince: '2026-12-01T11:59:55.000Z' });
  });

  test('nextSince lies overlapSeconds before the server clock, taken before the read', async () => {
    const out = await runUnitResolver(r, { args: { since: 'x' } }, canned({ result: { items: [], nextToken: null } }));
    expect((out.data as any).nextSince).toBe(new Date(NOW - 5000).toISOString());
  });

  test('the page size is capped at maxPageSize and defaults to it; nextToken is passed on', async () => {
    const big = await runUnitResolver(r, { args: { since: 'x', limit: 5000, nextToken: 'abc' } }, canned({ result: { items: [] } }));
    expect(big.requestObject).toMatchObject({ limit: 100, nextToken: 'abc' });
    const none = await runUnitResolver(r, { args: { since: 'x' } }, canned({ result: { items: [] } }));
    expect(none.requestObject).toMatchObject({ limit: 100 });
    expect(none.requestObject).not.toHaveProperty('nextToken');
    expect((none.data as any).nextToken).toBeNull();
  });

  test.each([
    [{}, 'since must be an ISO-8601 timestamp'],
    [{ since: '' }, 'since must be an ISO-8601 timestamp'],
    [{ since: 'x', limit: 0 }, 'limit must be at least 1, got 0'],
  ])('bad arguments %j are a ValidationError', async (args, message) => {
    const out = await runUnitResolver(r, { args }, canned({}));
    expect(out.errors).toEqual([expect.objectContaining({ errorType: 'ValidationError', message: expect.stringContaining(message) })]);
  });
});

describe('publish (None data source)', () => {
  const r = load('publish');
  test('publishes its arguments, stamped with publishedAt', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o-1', status: 'SHIPPED' } }, async (req) => ({ result: req.payload }));
    expect(out.requestObject).toEqual({ payload: { id: 'o-1', status: 'SHIPPED', publishedAt: '2026-12-01T12:00:00.000Z' } });
    expect(out.data).toEqual({ id: 'o-1', status: 'SHIPPED', publishedAt: '2026-12-01T12:00:00.000Z' });
  });
  test('keeps a publishedAt the caller sent', async () => {
    const out = await runUnitResolver(r, { args: { id: 'o', publishedAt: '2020-01-01T00:00:00.000Z' } }, async (req) => ({ result: req.payload }));
    expect((out.data as any).publishedAt).toBe('2020-01-01T00:00:00.000Z');
  });
});

describe('every shipped resolver', () => {
  const names = shippedResolverNames();
  test('the set is the one the construct uses', () => {
    expect(names).toEqual(['changes-since', 'get-item', 'publish', 'versioned-update']);
  });

  // AWS's "Supported runtime features" of APPSYNC_JS: these statements and operators are refused
  // when the resolver is created.
  const unsupported: Record<number, string> = {
    [ts.SyntaxKind.TryStatement]: 'try/catch/finally',
    [ts.SyntaxKind.ThrowStatement]: 'throw',
    [ts.SyntaxKind.WhileStatement]: 'while',
    [ts.SyntaxKind.DoStatement]: 'do-while',
    [ts.SyntaxKind.ForStatement]: 'for(;;)',
    [ts.SyntaxKind.ContinueStatement]: 'continue',
    [ts.SyntaxKind.LabeledStatement]: 'labeled statement',
    [ts.SyntaxKind.ClassDeclaration]: 'class',
    [ts.SyntaxKind.ClassExpression]: 'class',
    [ts.SyntaxKind.AwaitExpression]: 'await',
  };
  function findUnsupported(code: string): string[] {
    const found: string[] = [];
    const file = ts.createSourceFile('r.js', code, ts.ScriptTarget.ES2020, true, ts.ScriptKind.JS);
    const visit = (node: ts.Node) => {
      if (unsupported[node.kind]) found.push(unsupported[node.kind]);
      if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node))
        && [ts.SyntaxKind.PlusPlusToken, ts.SyntaxKind.MinusMinusToken, ts.SyntaxKind.TildeToken].includes(node.operator)) {
        found.push(`unary ${ts.tokenToString(node.operator)}`);
      }
      if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.InKeyword) found.push('in operator');
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'Date') found.push('new Date');
      if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) || ts.isArrowFunction(node))
        && node.modifiers?.some(m => m.kind === ts.SyntaxKind.AsyncKeyword)) found.push('async function');
      if ((ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node)) && node.asteriskToken) found.push('generator');
      ts.forEachChild(node, visit);
    };
    visit(file);
    return found;
  }

  test('the syntax guard finds what AWS refuses (it can fail)', () => {
    expect(findUnsupported('export function request(ctx) { let i = 0; i++; while (i) { continue; } try { throw 1 } catch (e) {} for (let j = 0; j < 1; j += 1) {} return "a" in ctx; }'))
      .toEqual(expect.arrayContaining(['unary ++', 'while', 'continue', 'try/catch/finally', 'throw', 'for(;;)', 'in operator']));
  });

  test.each(names)('%s: uses only APPSYNC_JS features, imports only @aws-appsync/utils, exports request and response, fits the size limit', (name) => {
    const code = shippedCode(name);
    expect(findUnsupported(code)).toEqual([]);
    const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map(m => m[1]);
    expect(imports.every(i => i === '@aws-appsync/utils')).toBe(true);
    expect(code).toMatch(/export\s*\{[^}]*\brequest\b[^}]*\bresponse\b[^}]*\}|export\s*\{[^}]*\bresponse\b[^}]*\brequest\b[^}]*\}/);
    // AppSync refuses resolver code over 32,768 bytes; with the configuration line it must still fit.
    expect(Buffer.byteLength(withConfig(code, config))).toBeLessThan(32768);
  });
});

describe('contract with the build', () => {
  const tasks = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', '.projen', 'tasks.json'), 'utf8'));
  const exec: string = tasks.tasks['bundle:appsync-resolvers'].steps[0].exec;
  test('the build bundles every shipped resolver with the options the tests use', () => {
    for (const arg of BUNDLE_ARGS) expect(exec.split(' ')).toContain(arg);
    for (const name of shippedResolverNames()) expect(exec).toContain(`lambda/appsync-resolvers/${name}.ts`);
    expect(exec).toContain('--outdir=assets/appsync-resolvers');
  });
});
