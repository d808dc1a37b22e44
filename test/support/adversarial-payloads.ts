/**
 * JSON request bodies chosen to break mapping templates: quotes, apostrophes, backslashes,
 * escaped apostrophes, control characters, unicode (astral, RTL, U+2028), template and
 * query-string injection, deep nesting and a body of ~256 KB. Each is the raw text a caller
 * sends (so escapes such as `\u00e9` stay escapes in `$input.body`).
 */

/** One hostile request body. */
export interface AdversarialPayload {
  /** What it attacks. */
  readonly name: string;
  /** The raw request body. */
  readonly body: string;
}

/** A string that holds every character class that has broken a mapping template somewhere. */
export const HOSTILE_STRING = 'O\'Brien "quoted" \\ back\\\'slash / </script> \n\r\t\u0000\u001f é 漢字 🎉 \u202e \u2028 \u2029 $context.requestId #set($x = 1) ${x} &Action=DeleteQueue %26 + = ? #';

function nested(depth: number): unknown {
  let v: unknown = { leaf: HOSTILE_STRING };
  for (let i = 0; i < depth; i++) v = { [`level${i}`]: v, list: [i, String(i), null, true] };
  return v;
}

function big(targetBytes: number): unknown {
  const items: unknown[] = [];
  let size = 0;
  for (let i = 0; size < targetBytes; i++) {
    const item = { i, text: `item ${i} ${HOSTILE_STRING}`, apostrophe: 'it\'s', unicode: 'ünïcødé ✓' };
    size += Buffer.byteLength(JSON.stringify(item), 'utf8') + 1;
    items.push(item);
  }
  return { items };
}

const pretty = (v: unknown) => JSON.stringify(v, null, 2);
const compact = (v: unknown) => JSON.stringify(v);
/** JSON text with every non-ASCII character written as a `\uXXXX` escape (a legal, different spelling). */
const asciiOnly = (v: unknown) => compact(v).replace(/[\u007f-\uffff]/g, c => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The corpus. Every body is valid JSON whose top level is an object. */
export const ADVERSARIAL_PAYLOADS: readonly AdversarialPayload[] = [
  { name: 'empty object', body: '{}' },
  { name: 'plain', body: compact({ orderId: 'o-1', amount: 12.5 }) },
  { name: 'apostrophes', body: compact({ note: 'it\'s O\'Brien\'s', quote: '\'' }) },
  { name: 'double quotes', body: compact({ note: 'say "hi"', only: '"' }) },
  { name: 'backslashes and an escaped apostrophe', body: compact({ path: 'C:\\temp\\new', tricky: '\\\'', trailing: 'ends with \\' }) },
  { name: 'JSON injection in a value', body: compact({ note: '","Source":"evil","DetailType":"x' }) },
  { name: 'newlines, tabs and control characters', body: compact({ text: 'line1\nline2\r\n\ttab \u0000 \u0007 \u001b[31m' }) },
  { name: 'unicode: accents, CJK, emoji, RTL override, line separators', body: compact({ text: 'café 漢字 🎉👩‍👩‍👧 \u202e gnp.exe \u2028\u2029 \uFEFF' }) },
  { name: 'unicode written as escapes', body: asciiOnly({ text: 'café 漢字 🎉', name: 'Zoë' }) },
  { name: 'VTL and template injection', body: compact({ a: '$context.requestId', b: '#set($x = "y")$x', c: '${util.escapeJavaScript("x")}', d: '#end #if(' }) },
  { name: 'query-string injection', body: compact({ q: 'a&Action=DeleteQueue&QueueUrl=x', pct: '%26%3D%2B', plus: '1+1=2' }) },
  { name: 'HTML and slashes', body: compact({ html: '<script>alert(\'x\')</script>', url: 'https://example.com/a/b?c=d' }) },
  { name: 'keys with dots, spaces, dollars and quotes', body: compact({ 'a.b': 1, 'with space': 2, '$dollar': 3, 'quo"te': 4, 'apo\'s': 5 }) },
  { name: 'numbers, booleans, null', body: compact({ big: 12345678901234567, neg: -0.5, exp: 1e-7, t: true, f: false, n: null }) },
  { name: 'arrays of mixed types', body: compact({ list: [1, 'two', { three: 3 }, [4], null, 'it\'s'] }) },
  { name: 'pretty-printed with whitespace', body: pretty({ nested: { deeper: { value: 'it\'s "here"' } }, list: [1, 2] }) },
  { name: 'deeply nested (40 levels)', body: compact(nested(40)) },
  { name: 'every hostile character in one string', body: compact({ s: HOSTILE_STRING }) },
  { name: '~256 KB body', body: compact(big(256 * 1024 - 512)) },
];

/**
 * The payload with `fields` set (each to a hostile value unless given), for routes whose
 * template reads body fields (partition key, message group id…). Keeps the rest of the body.
 */
export function withFields(payload: AdversarialPayload, fields: Record<string, unknown>): AdversarialPayload {
  const body = JSON.parse(payload.body) as Record<string, unknown>;
  for (const [path, value] of Object.entries(fields)) setPath(body, path.split('.'), value);
  return { name: `${payload.name} + ${Object.keys(fields).join(', ')}`, body: JSON.stringify(body) };
}

function setPath(target: Record<string, unknown>, parts: string[], value: unknown): void {
  const [head, ...rest] = parts;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const next = target[head];
  target[head] = typeof next === 'object' && next !== null && !Array.isArray(next) ? next : {};
  setPath(target[head] as Record<string, unknown>, rest, value);
}
