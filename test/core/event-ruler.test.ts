import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { newStack } from '../support';
import { eventOf, matchesWithEventRuler, runEventRuler } from '../support/event-ruler';

/**
 * The golden-test tool itself: AWS's event-ruler answers, so these expectations are facts about
 * EventBridge's matching (documented in the EventBridge user guide), checked here so a broken
 * runner (always true, always false, wrong engine call) cannot pass silently.
 */
describe('event-ruler runner', () => {
  test('matches and refuses as EventBridge documents (prefix, numeric, anything-but, exists)', () => {
    const pattern = {
      'source': ['com.example.prices'],
      'detail-type': ['PriceRecorded'],
      'detail': {
        symbol: [{ prefix: 'AM' }],
        change: [{ numeric: ['>=', 5] }],
        venue: [{ 'anything-but': ['OTC'] }],
        note: [{ exists: false }],
      },
    };
    const ok = eventOf('com.example.prices', 'PriceRecorded', { symbol: 'AMZN', change: 7.5, venue: 'NASDAQ' });
    expect(matchesWithEventRuler(pattern, [
      ok,
      eventOf('com.example.prices', 'PriceRecorded', { symbol: 'MSFT', change: 7.5, venue: 'NASDAQ' }),
      eventOf('com.example.prices', 'PriceRecorded', { symbol: 'AMZN', change: 4.99, venue: 'NASDAQ' }),
      eventOf('com.example.prices', 'PriceRecorded', { symbol: 'AMZN', change: 7.5, venue: 'OTC' }),
      eventOf('com.example.prices', 'PriceRecorded', { symbol: 'AMZN', change: 7.5, venue: 'NASDAQ', note: 'x' }),
      eventOf('com.example.other', 'PriceRecorded', { symbol: 'AMZN', change: 7.5, venue: 'NASDAQ' }),
    ])).toEqual([true, false, false, false, false, false]);
  });

  test('$or and array-consistent matching of arrays of objects', () => {
    const pattern = { detail: { $or: [{ a: [1] }, { b: [2] }] } };
    expect(matchesWithEventRuler(pattern, [
      eventOf('s', 't', { a: 1 }), eventOf('s', 't', { b: 2 }), eventOf('s', 't', { a: 2, b: 1 }),
    ])).toEqual([true, true, false]);
    // Fields of one pattern must match within the same array element.
    const consistent = { detail: { items: { sku: ['A'], qty: [2] } } };
    expect(matchesWithEventRuler(consistent, [
      eventOf('s', 't', { items: [{ sku: 'A', qty: 2 }] }),
      eventOf('s', 't', { items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }] }),
    ])).toEqual([true, false]);
  });

  test('refuses invalid patterns with its own reason', () => {
    const [notArray, badNumeric, ok] = runEventRuler([
      { pattern: { source: 'com.example' }, events: [] },
      { pattern: { detail: { n: [{ numeric: ['>>', 1] }] } }, events: [] },
      { pattern: { source: ['com.example'] }, events: [eventOf('com.example', 't', {})] },
    ]);
    expect(notArray.valid).toBe(false);
    expect(notArray.error).toMatch(/must be an object or an array/);
    expect(badNumeric.valid).toBe(false);
    expect(ok).toEqual({ valid: true, matches: [true] });
    expect(() => matchesWithEventRuler({ source: 'x' }, [])).toThrow(/event-ruler refuses the pattern/);
  });

  test('a pattern written with aws-cdk-lib Match helpers, as synthesized, means what it says', () => {
    const stack = newStack();
    new events.Rule(stack, 'Rule', {
      eventPattern: {
        source: ['com.example.prices'],
        detailType: events.Match.equalsIgnoreCase('pricerecorded'),
        detail: {
          change: events.Match.anyOf(events.Match.greaterThanOrEqual(5), events.Match.lessThanOrEqual(-5)),
          symbol: events.Match.wildcard('AM*N'),
        },
      },
    });
    const [rule] = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
    const pattern = (rule as { Properties: { EventPattern: unknown } }).Properties.EventPattern;
    expect(matchesWithEventRuler(pattern, [
      eventOf('com.example.prices', 'PriceRecorded', { change: 5, symbol: 'AMZN' }),
      eventOf('com.example.prices', 'PRICERECORDED', { change: -6.2, symbol: 'AMAZON' }),
      eventOf('com.example.prices', 'PriceRecorded', { change: 4.9, symbol: 'AMZN' }),
      eventOf('com.example.prices', 'PriceRecorded', { change: 9, symbol: 'MSFT' }),
    ])).toEqual([true, true, false, false]);
  });
});
