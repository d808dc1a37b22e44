/**
 * The shim itself, checked against the examples and rules in AWS's API Gateway documentation
 * (mapping template reference), so the golden tests that rely on it stand on documented behaviour.
 */
import { ADVERSARIAL_PAYLOADS, HOSTILE_STRING, withFields } from './adversarial-payloads';
import { escapeJavaScript, javaUrlEncode, jsonPath, renderRequestTemplate, renderResponseTemplate } from './api-gateway-vtl';

const req = (body: unknown, extra: Record<string, unknown> = {}) => ({ body: typeof body === 'string' ? body : JSON.stringify(body), ...extra });

describe('API Gateway VTL shim (velocityjs + $input/$util/$context as documented)', () => {
  test('$input.body is the raw body; $input.json returns JSON text; $input.path returns the value', () => {
    const body = '{ "name": "it\'s", "n": 3, "o": {"a": [1, "x"]} }';
    const out = renderRequestTemplate('$input.body|$input.json(\'$.name\')|$input.path(\'$.name\')|$input.json(\'$.o\')|$input.path(\'$.n\')', { body }).output;
    expect(out).toBe(`${body}|"it's"|it's|{"a":[1,"x"]}|3`);
  });

  test('$util.escapeJavaScript turns \' into \\\' (AWS: "the escaped single quotes are not valid in JSON")', () => {
    const out = renderRequestTemplate('{"detail":"$util.escapeJavaScript($input.json(\'$\'))"}', req({ note: 'it\'s' })).output;
    expect(out).toBe('{"detail":"{\\"note\\":\\"it\\\'s\\"}"}');
    expect(() => JSON.parse(out)).toThrow();
  });

  test('the documented fix .replaceAll("\\\\\'","\'") makes it valid JSON that round-trips every corpus payload', () => {
    for (const p of ADVERSARIAL_PAYLOADS) {
      const out = renderRequestTemplate('{"detail":"$util.escapeJavaScript($input.json(\'$\')).replaceAll("\\\\\'","\'")"}', { body: p.body }).output;
      expect({ name: p.name, detail: JSON.parse(JSON.parse(out).detail) }).toEqual({ name: p.name, detail: JSON.parse(p.body) });
    }
  });

  test('escapeJavaScript follows commons-lang: / and non-ASCII escaped, control characters named or \\u00XX', () => {
    expect(escapeJavaScript('a/b é 🎉 \n\u0001"\\\'')).toBe('a\\/b \\u00E9 \\uD83C\\uDF89 \\n\\u0001\\"\\\\\\\'');
  });

  test('urlEncode is Java URLEncoder (space +, .-*_ kept, UTF-8 %XX)', () => {
    expect(javaUrlEncode('a b&c=d/é*~\'')).toBe('a+b%26c%3Dd%2F%C3%A9*%7E%27');
    const out = renderRequestTemplate('MessageBody=$util.urlEncode($input.body)', req({ s: HOSTILE_STRING })).output;
    expect(new URLSearchParams(out).get('MessageBody')).toBe(JSON.stringify({ s: HOSTILE_STRING }));
  });

  test('base64Encode of the raw body is UTF-8', () => {
    const body = JSON.stringify({ s: HOSTILE_STRING });
    const out = renderRequestTemplate('$util.base64Encode($input.body)', { body }).output;
    expect(Buffer.from(out, 'base64').toString('utf8')).toBe(body);
  });

  test('$input.params finds path, query string, then headers (headers case-insensitive); $context values', () => {
    const out = renderRequestTemplate('$input.params(\'id\')|$input.params(\'q\')|$input.params(\'X-Group-Id\')|$context.requestId|$context.identity.sourceIp', {
      body: '{}', pathParameters: { id: 'p1' }, queryString: { q: 'v' }, headers: { 'x-group-id': 'g1' },
    }).output;
    expect(out).toBe('p1|v|g1|c0ffee00-0000-4000-8000-000000000001|192.0.2.1');
  });

  test('a missing field renders as the literal reference (Velocity), so a template that needs it produces invalid JSON', () => {
    expect(renderRequestTemplate('{"k":"$input.path(\'$.missing\')"}', req({})).output).toBe('{"k":"$input.path(\'$.missing\')"}');
  });

  test('response templates: $input is the backend answer; $context.responseOverride.status is reported', () => {
    const r = renderResponseTemplate('#if($input.path(\'$.FailedEntryCount\') > 0)#set($context.responseOverride.status = 502)failed#{else}ok#end',
      JSON.stringify({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] }));
    expect(r).toEqual({ output: 'failed', statusOverride: 502, headerOverrides: {} });
    expect(renderResponseTemplate('#if($input.path(\'$.FailedEntryCount\') > 0)x#{else}ok#end', '{"FailedEntryCount":0}').statusOverride).toBeUndefined();
  });

  test('#foreach over $input.path arrays with $foreach.index and hasNext', () => {
    const out = renderRequestTemplate('[#foreach($r in $input.path(\'$.records\'))$input.json("$.records[$foreach.index].k")#if($foreach.hasNext),#end#end]',
      req({ records: [{ k: 'a' }, { k: 'it\'s' }] })).output;
    expect(JSON.parse(out)).toEqual(['a', 'it\'s']);
  });

  test('JSONPath subset: dotted, bracketed, indexed', () => {
    const v = { a: { 'b c': [{ d: 1 }] } };
    expect(jsonPath(v, '$.a[\'b c\'][0].d')).toBe(1);
    expect(jsonPath(v, '$')).toBe(v);
    expect(jsonPath(v, '$.x.y')).toBeUndefined();
  });

  test('corpus: every payload is valid JSON with an object at the top; one is ~256 KB; withFields sets nested fields', () => {
    for (const p of ADVERSARIAL_PAYLOADS) expect(typeof JSON.parse(p.body)).toBe('object');
    const sizes = ADVERSARIAL_PAYLOADS.map(p => Buffer.byteLength(p.body, 'utf8'));
    expect(Math.max(...sizes)).toBeGreaterThan(250 * 1024);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(256 * 1024);
    expect(JSON.parse(withFields(ADVERSARIAL_PAYLOADS[0], { 'customer.id': 'c\'1' }).body)).toEqual({ customer: { id: 'c\'1' } });
  });
});
