import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { EventRouter, RouteTarget, SecureQueue } from '../../src';
import { eventPatternProblem } from '../../src/core/event-pattern';
import { newStack } from '../support';
import { eventOf, runEventRuler, type EventRulerCase } from '../support/event-ruler';

/**
 * Golden tests: every event pattern the EventRouter synthesizes (rules AND the archive) runs
 * through AWS's own matcher, event-ruler, with events that must match and events that must not.
 * A pattern in the template without golden events fails the test, so a new route cannot skip it.
 */

interface Golden {
  readonly match: unknown[];
  readonly noMatch: unknown[];
}

/** Every pattern of every rule and archive of a stack, keyed by logical id. */
function synthesizedPatterns(stack: Stack): Map<string, unknown> {
  const t = Template.fromStack(stack);
  const out = new Map<string, unknown>();
  for (const type of ['AWS::Events::Rule', 'AWS::Events::Archive']) {
    for (const [id, r] of Object.entries(t.findResources(type))) {
      const pattern = (r as { Properties: { EventPattern?: unknown } }).Properties.EventPattern;
      if (pattern !== undefined) out.set(id, pattern);
    }
  }
  return out;
}

/** Runs every pattern with its golden events in one JVM; returns readable mismatches. */
function goldenMismatches(patterns: Map<string, unknown>, golden: (logicalId: string) => Golden | undefined): string[] {
  const problems: string[] = [];
  const cases: EventRulerCase[] = [];
  const ids: string[] = [];
  for (const [id, pattern] of patterns) {
    const g = golden(id);
    if (!g) {
      problems.push(`${id}: no golden events for pattern ${JSON.stringify(pattern)}`);
      continue;
    }
    expect(g.match.length).toBeGreaterThan(0);
    expect(g.noMatch.length).toBeGreaterThan(0);
    ids.push(id);
    cases.push({ pattern, events: [...g.match, ...g.noMatch] });
  }
  const results = runEventRuler(cases);
  results.forEach((result, i) => {
    const g = golden(ids[i])!;
    if (!result.valid) {
      problems.push(`${ids[i]}: event-ruler refuses ${JSON.stringify(cases[i].pattern)}: ${result.error}`);
      return;
    }
    result.matches!.forEach((matched, j) => {
      const expected = j < g.match.length;
      if (matched !== expected) {
        problems.push(`${ids[i]}: event ${JSON.stringify(cases[i].events[j])} ${matched ? 'matched' : 'did not match'} ${JSON.stringify(cases[i].pattern)}`);
      }
    });
  });
  return problems;
}

const price = (detail: Record<string, unknown>, detailType = 'PriceRecorded', source = 'prices') => eventOf(source, detailType, detail);

describe('EventRouter patterns through event-ruler (AWS\'s matcher)', () => {
  test('every rule and the archive of a router with typed Match patterns', () => {
    const stack = newStack();
    const router = new EventRouter(stack, 'Router', { publisherAccounts: ['222222222222'] });
    const q = (id: string) => RouteTarget.queue(new SecureQueue(stack, id, { alarmsEnabled: false }).queue);
    router.addRoute('AllPrices', { pattern: { source: ['prices'], detailType: ['PriceRecorded'] }, targets: [q('History')] });
    router.addRoute('BigMoves', {
      pattern: {
        source: ['prices'],
        detailType: ['PriceRecorded'],
        detail: { changePercent: events.Match.anyOf(events.Match.greaterThanOrEqual(5), events.Match.lessThanOrEqual(-5)) },
      },
      targets: [q('Alerts')],
    });
    router.addRoute('TechSymbols', {
      pattern: {
        source: events.Match.prefix('prices'),
        detail: {
          symbol: events.Match.anythingBut('TEST'),
          exchange: events.Match.equalsIgnoreCase('nasdaq'),
          correction: events.Match.doesNotExist(),
        },
      },
      targets: [q('Tech')],
    });
    router.addRoute('Corrections', {
      pattern: { detailType: events.Match.wildcard('Price*Corrected'), detail: { price: events.Match.interval(0, 1000) } },
      targets: [q('Corrections')],
    });

    const patterns = synthesizedPatterns(stack);
    expect(patterns.size).toBe(5);
    const golden = (id: string): Golden | undefined => {
      if (id.startsWith('RouterAllPricesRule')) {
        return { match: [price({ symbol: 'AMZN' })], noMatch: [price({}, 'PriceCorrected'), price({}, 'PriceRecorded', 'other')] };
      }
      if (id.startsWith('RouterBigMovesRule')) {
        return {
          match: [price({ changePercent: 5 }), price({ changePercent: -7.25 }), price({ changePercent: 12 })],
          noMatch: [price({ changePercent: 4.99 }), price({ changePercent: -4.99 }), price({ changePercent: '5' }), price({})],
        };
      }
      if (id.startsWith('RouterTechSymbolsRule')) {
        return {
          match: [price({ symbol: 'AMZN', exchange: 'NASDAQ' }), price({ symbol: 'MSFT', exchange: 'Nasdaq' }, 'X', 'prices.eu')],
          noMatch: [
            price({ symbol: 'TEST', exchange: 'NASDAQ' }), price({ symbol: 'AMZN', exchange: 'NYSE' }),
            price({ symbol: 'AMZN', exchange: 'NASDAQ', correction: true }), price({ symbol: 'AMZN', exchange: 'NASDAQ' }, 'X', 'fx'),
          ],
        };
      }
      if (id.startsWith('RouterCorrectionsRule')) {
        return {
          // Match.interval is inclusive at both ends (>= 0, <= 1000): event-ruler says so.
          match: [price({ price: 999.5 }, 'PriceCorrected'), price({ price: 0 }, 'Price Was Corrected'), price({ price: 1000 }, 'PriceCorrected')],
          noMatch: [price({ price: 1000.01 }, 'PriceCorrected'), price({ price: -0.5 }, 'PriceCorrected'), price({ price: 5 }, 'PriceRecorded')],
        };
      }
      if (id.startsWith('RouterArchive')) {
        return {
          match: [price({}), { ...price({}), account: '222222222222' }],
          noMatch: [{ ...price({}), account: '333333333333' }],
        };
      }
      return undefined;
    };
    expect(goldenMismatches(patterns, golden)).toEqual([]);
  });

  test('our synth-time pattern check and event-ruler agree on what is a valid pattern', () => {
    const candidates: unknown[] = [
      { source: ['a'] },
      { detail: { n: [{ numeric: ['>', 0, '<=', 5] }] } },
      { detail: { $or: [{ a: [1] }, { b: [{ exists: true }] }] } },
      { detail: { ip: [{ cidr: '10.0.0.0/24' }] } },
      { detail: { s: [{ suffix: '.png' }, { 'anything-but': { prefix: 'tmp' } }] } },
      { detail: { v: [null, true, 1.5, 'x'] } },
      // accepted boundaries of the matcher values (event-ruler decides):
      { detail: { s: [{ prefix: '' }, { suffix: '' }, { 'equals-ignore-case': '' }, { wildcard: '' }] } },
      { detail: { s: [{ prefix: { 'equals-ignore-case': 'ab' } }, { suffix: { 'equals-ignore-case': '.PNG' } }] } },
      { detail: { s: [{ wildcard: 'a*b' }, { wildcard: '*' }, { wildcard: 'a*\\**b' }, { wildcard: 'a\\\\b' }] } },
      { detail: { ip: [{ cidr: '10.0.0.0/31' }, { cidr: '10.0.0.0/0' }, { cidr: '2001:db8::/127' }, { cidr: '2001:db8::/64' }] } },
      { detail: { s: [{ 'anything-but': 'x' }, { 'anything-but': 5 }, { 'anything-but': ['a', ''] }, { 'anything-but': [1, 2.5] }] } },
      { detail: { s: [{ 'anything-but': { suffix: 'x' } }, { 'anything-but': { prefix: ['a'] } }, { 'anything-but': { 'equals-ignore-case': ['a', 'b'] } }] } },
      { detail: { s: [{ 'anything-but': { 'equals-ignore-case': '' } }, { 'anything-but': { wildcard: ['a*'] } }, { 'anything-but': { wildcard: 'x*' } }] } },
      { detail: { n: [{ numeric: ['=', 1] }, { numeric: ['<=', 1] }, { numeric: ['>=', 1, '<', 1.0001] }, { numeric: ['>', 5000000000] }] } },
      // invalid:
      { source: 'a' },
      { detail: { n: [{ numeric: ['>>', 0] }] } },
      { detail: { n: [{ 'greater-than': 1 }] } },
      { detail: { n: [{ exists: 'yes' }] } },
      { detail: { n: [{ numeric: ['>', 'five'] }] } },
      // matcher values event-ruler refuses:
      { detail: { s: [{ prefix: 5 }] } },
      { detail: { s: [{ suffix: null }] } },
      { detail: { s: [{ prefix: { 'equals-ignore-case': 5 } }] } },
      { detail: { s: [{ prefix: { wildcard: 'a' } }] } },
      { detail: { s: [{ 'equals-ignore-case': 5 }] } },
      { detail: { s: [{ wildcard: 'a**b' }] } },
      { detail: { s: [{ wildcard: '**' }] } },
      { detail: { s: [{ wildcard: 'a\\b' }] } },
      { detail: { s: [{ wildcard: 5 }] } },
      { detail: { ip: [{ cidr: '10.0.0.0/32' }] } },
      { detail: { ip: [{ cidr: '10.0.0.0/33' }] } },
      { detail: { ip: [{ cidr: '10.0.0.256/8' }] } },
      { detail: { ip: [{ cidr: '10.0.0/8' }] } },
      { detail: { ip: [{ cidr: '10.0.0.0' }] } },
      { detail: { ip: [{ cidr: '10.0.0.0/-1' }] } },
      { detail: { ip: [{ cidr: '::1/128' }] } },
      { detail: { ip: [{ cidr: '2001:zz::/64' }] } },
      { detail: { ip: [{ cidr: 5 }] } },
      { detail: { s: [{ 'anything-but': [] }] } },
      { detail: { s: [{ 'anything-but': [1, 'a'] }] } },
      { detail: { s: [{ 'anything-but': [null] }] } },
      { detail: { s: [{ 'anything-but': [true] }] } },
      { detail: { s: [{ 'anything-but': null }] } },
      { detail: { s: [{ 'anything-but': true }] } },
      { detail: { s: [{ 'anything-but': { exists: false } }] } },
      { detail: { s: [{ 'anything-but': { numeric: ['>', 1] } }] } },
      { detail: { s: [{ 'anything-but': { cidr: '10.0.0.0/8' } }] } },
      { detail: { s: [{ 'anything-but': { 'anything-but': 'x' } }] } },
      { detail: { s: [{ 'anything-but': {} }] } },
      { detail: { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] } },
      { detail: { s: [{ 'anything-but': { prefix: '' } }] } },
      { detail: { s: [{ 'anything-but': { prefix: [] } }] } },
      { detail: { s: [{ 'anything-but': { prefix: ['a', ''] } }] } },
      { detail: { s: [{ 'anything-but': { prefix: 5 } }] } },
      { detail: { s: [{ 'anything-but': { suffix: [1] } }] } },
      { detail: { s: [{ 'anything-but': { 'equals-ignore-case': 5 } }] } },
      { detail: { s: [{ 'anything-but': { 'equals-ignore-case': [] } }] } },
      { detail: { s: [{ 'anything-but': { wildcard: 'a**' } }] } },
      { detail: { n: [{ numeric: ['>', 1, '>', 2] }] } },
      { detail: { n: [{ numeric: ['<', 1, '>=', 0] }] } },
      { detail: { n: [{ numeric: ['=', 5, '<', 7] }] } },
      { detail: { n: [{ numeric: ['>', 5, '<', 2] }] } },
      { detail: { n: [{ numeric: ['>=', 1, '<=', 1] }] } },
    ];
    const results = runEventRuler(candidates.map(pattern => ({ pattern, events: [] })));
    const disagreements = candidates.flatMap((pattern, i) => {
      const ours = eventPatternProblem(pattern) === undefined;
      return ours === results[i].valid ? [] : [`${JSON.stringify(pattern)}: ours ${ours ? 'valid' : 'invalid'}, event-ruler ${results[i].valid ? 'valid' : `invalid (${results[i].error})`}`];
    });
    expect(disagreements).toEqual([]);
  });
});
