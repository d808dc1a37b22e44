/**
 * The HTTP API integration model's parameter mapping (e2e/harness/front-door-model.ts), checked
 * against AWS's documentation of HTTP API parameter mapping, so the e2e proof rests on a tested
 * model: static values, $request.body, $request.body.<JSONPath> (first 100 KB only),
 * $request.header.<name> (case-insensitive), ${...} forms, $context, $stageVariables; anything
 * else is refused rather than guessed.
 */
import { HttpModelError, isStrictBase64, mapHttpParameter } from '../../../e2e/harness/front-door-model';

const request = {
  body: JSON.stringify({ sessionId: 's-1', amount: 12.5, customer: { id: 'c-9', tags: ['a', 'b'] }, data: 'eyJhIjoxfQ==' }),
  headers: { 'X-Group-Id': 'g-1' },
  query: { q: 'x' },
  context: { requestId: 'req-1' },
  stageVariables: { env: 'prod' },
};

describe('HTTP API parameter mapping, as API Gateway documents it', () => {
  test.each([
    ['a static value', 'orders-queue', 'orders-queue'],
    ['the whole body', '$request.body', request.body],
    ['a body field', '$request.body.sessionId', 's-1'],
    ['a nested body field', '$request.body.customer.id', 'c-9'],
    ['an array element', '$request.body.customer.tags[1]', 'b'],
    ['a number field, as its JSON text', '$request.body.amount', '12.5'],
    ['an object field, as its JSON text', '$request.body.customer', '{"id":"c-9","tags":["a","b"]}'],
    ['a header, case-insensitively', '$request.header.x-group-id', 'g-1'],
    ['the ${...} form', '${request.header.X-Group-Id}', 'g-1'],
    ['a query string value', '$request.querystring.q', 'x'],
    ['a context variable', '$context.requestId', 'req-1'],
    ['a stage variable', '$stageVariables.env', 'prod'],
  ])('%s', (_what, expression, expected) => {
    expect(mapHttpParameter('P', expression, request)).toBe(expected);
  });

  test('a missing field or header is an error, not an empty string', () => {
    expect(() => mapHttpParameter('PartitionKey', '$request.body.nope', request)).toThrow(HttpModelError);
    expect(() => mapHttpParameter('MessageGroupId', '$request.header.X-Other', request)).toThrow(/does not have/);
  });

  test('a JSON path on a body over 100 KB is refused (API Gateway reads the first 100 KB only)', () => {
    const big = { ...request, body: JSON.stringify({ data: 'x'.repeat(110 * 1024) }) };
    expect(() => mapHttpParameter('Data', '$request.body.data', big)).toThrow(/first 100 KB only/);
    expect(mapHttpParameter('MessageBody', '$request.body', big)).toBe(big.body);
  });

  test('an expression the model does not know (text mixed with a selection, unknown source) is refused', () => {
    expect(() => mapHttpParameter('P', 'id-$context.requestId', request)).toThrow(HttpModelError);
    expect(() => mapHttpParameter('P', '$request.cookie.x', request)).toThrow(HttpModelError);
  });
});

describe('Kinesis base64 as its JSON protocol reads Data', () => {
  test.each([
    ['eyJhIjoxfQ==', true],
    ['', true],
    ['{"a":1}', false],
    ['abc', false],
    ['ab c', false],
  ])('%j -> %s', (text, ok) => {
    expect(isStrictBase64(text)).toBe(ok);
  });
});
