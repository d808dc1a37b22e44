/**
 * A small JSON Schema validator for the documented subset: type, required, properties, enum,
 * minimum, maximum, minLength, maxLength, pattern, items, additionalProperties.
 *
 * The schema is compiled once per container into a tree of closures; validating a message
 * walks the closures and allocates only when it reports an error.
 */

/** The JSON Schema keywords the writer understands. */
export interface MessageSchema {
  readonly type?: string | readonly string[];
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, MessageSchema>>;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly items?: MessageSchema;
  readonly additionalProperties?: boolean | MessageSchema;
}

/** Returns undefined when the value is valid, else a short description of the first error. */
export type Validator = (value: unknown, path?: string) => string | undefined;

const KEYWORDS = new Set([
  'type', 'required', 'properties', 'enum', 'minimum', 'maximum', 'minLength', 'maxLength', 'pattern',
  'items', 'additionalProperties',
  // Annotations that do not constrain values.
  '$schema', '$id', 'title', 'description', 'default', 'examples', '$comment',
]);
const TYPES = new Set(['object', 'array', 'string', 'number', 'integer', 'boolean', 'null']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number';
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'null': return value === null;
    default: return typeof value === type;
  }
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Compiles a schema (the parsed MESSAGE_SCHEMA). Throws on keywords outside the subset, so a
 * schema the writer cannot enforce fails at init instead of letting messages through.
 */
export function compileSchema(schema: unknown, at = '#'): Validator {
  if (typeof schema === 'boolean') {
    return schema ? () => undefined : (_v, p = '$') => `${p}: no value is allowed here`;
  }
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new Error(`MESSAGE_SCHEMA ${at}: a schema must be an object or a boolean`);
  }
  const s = schema as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!KEYWORDS.has(key)) {
      throw new Error(`MESSAGE_SCHEMA ${at}: keyword "${key}" is not supported (supported: ${[...KEYWORDS].slice(0, 11).join(', ')})`);
    }
  }
  const checks: Validator[] = [];

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type as string[] : [s.type as string];
    for (const t of types) {
      if (!TYPES.has(t)) throw new Error(`MESSAGE_SCHEMA ${at}/type: unknown type "${String(t)}"`);
    }
    checks.push((v, p) => types.some(t => hasType(v, t)) ? undefined : `${p}: expected ${types.join(' or ')}, got ${typeOf(v)}`);
  }
  if (s.enum !== undefined) {
    if (!Array.isArray(s.enum)) throw new Error(`MESSAGE_SCHEMA ${at}/enum: must be an array`);
    const values = s.enum as unknown[];
    checks.push((v, p) => values.some(e => jsonEqual(e, v)) ? undefined : `${p}: must be one of ${JSON.stringify(values)}`);
  }
  const num = (k: 'minimum' | 'maximum' | 'minLength' | 'maxLength'): number | undefined => {
    const n = s[k];
    if (n === undefined) return undefined;
    if (typeof n !== 'number') throw new Error(`MESSAGE_SCHEMA ${at}/${k}: must be a number`);
    return n;
  };
  const minimum = num('minimum');
  const maximum = num('maximum');
  if (minimum !== undefined) checks.push((v, p) => typeof v === 'number' && v < minimum ? `${p}: must be >= ${minimum}` : undefined);
  if (maximum !== undefined) checks.push((v, p) => typeof v === 'number' && v > maximum ? `${p}: must be <= ${maximum}` : undefined);
  const minLength = num('minLength');
  const maxLength = num('maxLength');
  if (minLength !== undefined) checks.push((v, p) => typeof v === 'string' && [...v].length < minLength ? `${p}: must be at least ${minLength} characters` : undefined);
  if (maxLength !== undefined) checks.push((v, p) => typeof v === 'string' && [...v].length > maxLength ? `${p}: must be at most ${maxLength} characters` : undefined);
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== 'string') throw new Error(`MESSAGE_SCHEMA ${at}/pattern: must be a string`);
    const re = new RegExp(s.pattern, 'u');
    checks.push((v, p) => typeof v === 'string' && !re.test(v) ? `${p}: must match ${s.pattern as string}` : undefined);
  }
  if (s.required !== undefined) {
    if (!Array.isArray(s.required)) throw new Error(`MESSAGE_SCHEMA ${at}/required: must be an array of names`);
    const required = s.required as string[];
    checks.push((v, p) => {
      if (!hasType(v, 'object')) return undefined;
      const o = v as Record<string, unknown>;
      for (const name of required) if (o[name] === undefined) return `${p}: required property "${name}" is missing`;
      return undefined;
    });
  }
  const properties = new Map<string, Validator>();
  if (s.properties !== undefined) {
    if (typeof s.properties !== 'object' || s.properties === null) throw new Error(`MESSAGE_SCHEMA ${at}/properties: must be an object`);
    for (const [name, sub] of Object.entries(s.properties as Record<string, unknown>)) {
      properties.set(name, compileSchema(sub, `${at}/properties/${name}`));
    }
  }
  const additional = s.additionalProperties === undefined || s.additionalProperties === true
    ? undefined
    : compileSchema(s.additionalProperties, `${at}/additionalProperties`);
  if (properties.size > 0 || additional) {
    checks.push((v, p) => {
      if (!hasType(v, 'object')) return undefined;
      const o = v as Record<string, unknown>;
      for (const key in o) {
        const sub = properties.get(key) ?? additional;
        if (!sub) continue;
        const err = sub(o[key], `${p}.${key}`);
        if (err) return err;
      }
      return undefined;
    });
  }
  if (s.items !== undefined) {
    const item = compileSchema(s.items, `${at}/items`);
    checks.push((v, p) => {
      if (!Array.isArray(v)) return undefined;
      for (let i = 0; i < v.length; i++) {
        const err = item(v[i], `${p}[${i}]`);
        if (err) return err;
      }
      return undefined;
    });
  }
  return (value, path = '$') => {
    for (const check of checks) {
      const err = check(value, path);
      if (err) return err;
    }
    return undefined;
  };
}
