import { fakeClock, sqsRecord } from './support';
import { backoffWithinBudget, budgetDeadline, fullJitterDelay } from '../../../lambda/write-buffer/backoff';
import { chunk, forEachLimited } from '../../../lambda/write-buffer/chunk';
import { batchItemFailures, isFifoSource } from '../../../lambda/write-buffer/failures';
import { getField, parseBody } from '../../../lambda/write-buffer/parse';
import { compileSchema } from '../../../lambda/write-buffer/schema';

describe('chunk', () => {
  test('chunks of 25 keep order, the last one shorter', () => {
    const items = Array.from({ length: 60 }, (_, i) => i);
    const chunks = chunk(items, 25);
    expect(chunks.map(c => c.length)).toEqual([25, 25, 10]);
    expect(chunks.flat()).toEqual(items);
  });
  test('exact multiples and empty input', () => {
    expect(chunk(Array(50).fill(0), 25).map(c => c.length)).toEqual([25, 25]);
    expect(chunk([], 25)).toEqual([]);
  });
  test('refuses a size below 1', () => {
    expect(() => chunk([1], 0)).toThrow('positive integer');
  });
  test('forEachLimited never runs more than the limit at once and runs everything', async () => {
    let inFlight = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachLimited(Array.from({ length: 20 }, (_, i) => i), 3, async i => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise(r => setTimeout(r, 1));
      done.push(i);
      inFlight--;
    });
    expect(peak).toBe(3);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });
});

describe('backoff', () => {
  test('full jitter: random × min(cap, base × 2^attempt)', () => {
    const opts = { baseMs: 25, capMs: 1000 };
    expect(fullJitterDelay(0, opts, () => 0.999999)).toBe(24);
    expect(fullJitterDelay(3, opts, () => 0.5)).toBe(100);
    expect(fullJitterDelay(10, opts, () => 0.5)).toBe(500); // capped at 1000
    expect(fullJitterDelay(5, opts, () => 0)).toBe(0);
    expect(fullJitterDelay(1000, opts, () => 1)).toBe(1000); // no overflow
  });
  test('waits only when the wait ends before the deadline', async () => {
    const clock = fakeClock(0, () => 1);
    expect(await backoffWithinBudget(2, 1000, clock, { baseMs: 100, capMs: 10_000 })).toBe(true);
    expect(clock.sleeps).toEqual([400]);
    expect(await backoffWithinBudget(2, 700, clock, { baseMs: 100, capMs: 10_000 })).toBe(false); // 400 + 400 >= 700
    expect(clock.sleeps).toEqual([400]);
  });
  test('deadline keeps a safety margin of 10 % (0.5 s to 3 s)', () => {
    expect(budgetDeadline(0, 30_000)).toBe(27_000);
    expect(budgetDeadline(0, 3_000)).toBe(2_500);
    expect(budgetDeadline(0, 900_000)).toBe(897_000);
    expect(budgetDeadline(0, 100)).toBe(0);
  });
});

describe('parseBody', () => {
  test('a JSON object passes', () => {
    expect(parseBody('{"id":"a","n":1}')).toEqual({ ok: true, value: { id: 'a', n: 1 } });
  });
  test.each([
    ['not JSON', 'hello', 'InvalidJson'],
    ['truncated JSON', '{"id":', 'InvalidJson'],
    ['array', '[1]', 'NotAnObject'],
    ['null', 'null', 'NotAnObject'],
    ['string', '"x"', 'NotAnObject'],
  ])('poison: %s → %s', (_n, body, code) => {
    expect(parseBody(body)).toMatchObject({ ok: false, code });
  });
  test('schema violations are poison with the path', () => {
    const validate = compileSchema({ type: 'object', required: ['id'], properties: { amount: { type: 'number', minimum: 0 } } });
    expect(parseBody('{"id":"a","amount":-1}', validate)).toEqual({ ok: false, code: 'SchemaViolation', detail: '$.amount: must be >= 0' });
    expect(parseBody('{"amount":1}', validate)).toEqual({ ok: false, code: 'SchemaViolation', detail: '$: required property "id" is missing' });
  });
  test('details are truncated to 256 characters', () => {
    const validate = compileSchema({ properties: { s: { enum: ['x'.repeat(400)] } } });
    const r = parseBody('{"s":"y"}', validate);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.detail.length).toBe(256);
  });
  test('getField reads dotted paths', () => {
    expect(getField({ a: { b: { c: 3 } } }, ['a', 'b', 'c'])).toBe(3);
    expect(getField({ a: 1 }, ['a', 'b'])).toBeUndefined();
    expect(getField({ a: null }, ['a', 'b'])).toBeUndefined();
  });
});

describe('schema subset', () => {
  const v = compileSchema({
    type: 'object',
    required: ['id', 'kind'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', minLength: 2, maxLength: 5, pattern: '^o-' },
      kind: { enum: ['a', 'b'] },
      qty: { type: 'integer', minimum: 1, maximum: 10 },
      tags: { type: 'array', items: { type: 'string' } },
      note: { type: ['string', 'null'] },
    },
  });
  test.each([
    [{ id: 'o-1', kind: 'a' }, undefined],
    [{ id: 'o-1', kind: 'b', qty: 10, tags: ['x'], note: null }, undefined],
    [{ id: 'x-1', kind: 'a' }, '$.id: must match ^o-'],
    [{ id: 'o', kind: 'a' }, '$.id: must be at least 2 characters'],
    [{ id: 'o-1234', kind: 'a' }, '$.id: must be at most 5 characters'],
    [{ id: 'o-1', kind: 'c' }, '$.kind: must be one of ["a","b"]'],
    [{ id: 'o-1', kind: 'a', qty: 1.5 }, '$.qty: expected integer, got number'],
    [{ id: 'o-1', kind: 'a', qty: 11 }, '$.qty: must be <= 10'],
    [{ id: 'o-1', kind: 'a', tags: ['x', 2] }, '$.tags[1]: expected string, got number'],
    [{ id: 'o-1', kind: 'a', extra: 1 }, '$.extra: no value is allowed here'],
    [{ id: 'o-1' }, '$: required property "kind" is missing'],
    [[1], '$: expected object, got array'],
  ])('%j → %s', (value, error) => {
    expect(v(value)).toBe(error);
  });
  test('keywords outside the subset fail at init, not at run time', () => {
    expect(() => compileSchema({ type: 'object', oneOf: [] })).toThrow('MESSAGE_SCHEMA #: keyword "oneOf" is not supported');
    expect(() => compileSchema({ properties: { a: { type: 'float' } } })).toThrow('MESSAGE_SCHEMA #/properties/a/type: unknown type "float"');
  });
});

describe('batchItemFailures', () => {
  const std = [sqsRecord('a', '{}'), sqsRecord('b', '{}'), sqsRecord('c', '{}')];
  test('standard queue: exactly the failed ids, in batch order', () => {
    expect(batchItemFailures(std, new Set(['c', 'a']), false)).toEqual([{ itemIdentifier: 'a' }, { itemIdentifier: 'c' }]);
    expect(batchItemFailures(std, new Set(), false)).toEqual([]);
  });
  test('FIFO: after a failed message, every later message of its group fails too; other groups are unaffected', () => {
    const q = 'buffer.fifo';
    const records = [
      sqsRecord('g1-1', '{}', { queue: q, group: 'g1' }),
      sqsRecord('g2-1', '{}', { queue: q, group: 'g2' }),
      sqsRecord('g1-2', '{}', { queue: q, group: 'g1' }),
      sqsRecord('g2-2', '{}', { queue: q, group: 'g2' }),
      sqsRecord('g1-3', '{}', { queue: q, group: 'g1' }),
      sqsRecord('g3-1', '{}', { queue: q, group: 'g3' }),
    ];
    expect(isFifoSource(records)).toBe(true);
    expect(isFifoSource(std)).toBe(false);
    expect(batchItemFailures(records, new Set(['g1-2', 'g2-2']), true).map(f => f.itemIdentifier)).toEqual(['g1-2', 'g2-2', 'g1-3']);
    // Earlier messages of the group stay successful.
    expect(batchItemFailures(records, new Set(['g1-1']), true).map(f => f.itemIdentifier)).toEqual(['g1-1', 'g1-2', 'g1-3']);
  });
});
