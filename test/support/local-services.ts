/**
 * In-memory MODELS of the AWS services a state machine calls directly (Step Functions service
 * integrations) and of the DynamoDB API a handler calls, for test/support/local-sfn.ts.
 *
 * DynamoDB: items keyed by the table's partition key; UpdateItem/PutItem/GetItem/DeleteItem with
 * the expression subset our code emits — SET (`a = :v`, `a = a + :v`, `a = a - :v`,
 * `if_not_exists(a, :v)`), REMOVE, ADD (numbers, string sets); conditions with AND/OR/NOT,
 * parentheses, = <> < <= > >=, attribute_exists, attribute_not_exists, contains. An expression
 * outside that subset throws (a test then fails), it is never guessed. A failed condition is
 * `DynamoDB.ConditionalCheckFailedException` for the optimized integration and
 * `DynamoDb.ConditionalCheckFailedException` for the aws-sdk one, as Step Functions names them.
 */
import type { ServiceModel } from './local-sfn';

/** A DynamoDB attribute value in the wire format ({ S }, { N }, { SS }, { BOOL }, { NULL }, { M }, { L }). */
export type AttributeValue = Record<string, any>;
export type Item = Record<string, AttributeValue>;

interface Expr { names?: Record<string, string>; values?: Record<string, AttributeValue> }

/** Splits an expression into tokens. */
function tokenize(text: string): string[] {
  const tokens = text.match(/<>|<=|>=|[=<>(),+-]|[#:]?[A-Za-z_][A-Za-z0-9_.]*/g) ?? [];
  const rebuilt = tokens.join('').replace(/\s/g, '');
  if (rebuilt !== text.replace(/\s/g, '')) throw new Error(`expression not modelled: ${text}`);
  return tokens;
}

function nameOf(token: string, e: Expr): string {
  if (token.startsWith('#')) {
    const n = e.names?.[token];
    if (!n) throw new Error(`ExpressionAttributeNames has no ${token}`);
    return n;
  }
  return token;
}
function valueOf(token: string, e: Expr): AttributeValue {
  const v = e.values?.[token];
  if (!v) throw new Error(`ExpressionAttributeValues has no ${token}`);
  return v;
}
function operand(token: string, item: Item, e: Expr): AttributeValue | undefined {
  return token.startsWith(':') ? valueOf(token, e) : item[nameOf(token, e)];
}
function compare(a: AttributeValue | undefined, b: AttributeValue | undefined): number | undefined {
  if (!a || !b) return undefined;
  if ('N' in a && 'N' in b) return Number(a.N) - Number(b.N);
  if ('S' in a && 'S' in b) return a.S < b.S ? -1 : a.S > b.S ? 1 : 0;
  if ('BOOL' in a && 'BOOL' in b) return a.BOOL === b.BOOL ? 0 : 1;
  return undefined;
}

/** Evaluates a condition expression on an item (undefined item: no item). */
export function evaluateCondition(text: string, item: Item | undefined, e: Expr): boolean {
  const tokens = tokenize(text);
  let i = 0;
  const it = item ?? {};
  const peek = () => tokens[i];
  const take = (expected?: string) => {
    const t = tokens[i++];
    if (expected && t?.toUpperCase() !== expected) throw new Error(`expected ${expected} at "${t}" in ${text}`);
    return t;
  };
  const or = (): boolean => {
    let v = and();
    while (peek()?.toUpperCase() === 'OR') { take(); const r = and(); v = v || r; }
    return v;
  };
  const and = (): boolean => {
    let v = not();
    while (peek()?.toUpperCase() === 'AND') { take(); const r = not(); v = v && r; }
    return v;
  };
  const not = (): boolean => {
    if (peek()?.toUpperCase() === 'NOT') { take(); return !not(); }
    return primary();
  };
  const primary = (): boolean => {
    const t = take();
    if (t === '(') { const v = or(); take(')'); return v; }
    const fn = t.toLowerCase();
    if (fn === 'attribute_exists' || fn === 'attribute_not_exists') {
      take('('); const p = nameOf(take(), e); take(')');
      return fn === 'attribute_exists' ? p in it : !(p in it);
    }
    if (fn === 'contains') {
      take('('); const a = operand(take(), it, e); take(','); const b = operand(take(), it, e); take(')');
      if (!a || !b) return false;
      if ('SS' in a && 'S' in b) return (a.SS as string[]).includes(b.S);
      if ('S' in a && 'S' in b) return (a.S as string).includes(b.S);
      throw new Error(`contains() on these types is not modelled: ${text}`);
    }
    const left = operand(t, it, e);
    const op = take();
    const right = operand(take(), it, e);
    const c = compare(left, right);
    switch (op) {
      case '=': return c === 0;
      case '<>': return c !== 0;
      case '<': return c !== undefined && c < 0;
      case '<=': return c !== undefined && c <= 0;
      case '>': return c !== undefined && c > 0;
      case '>=': return c !== undefined && c >= 0;
      default: throw new Error(`operator ${op} not modelled in ${text}`);
    }
  };
  const result = or();
  if (i !== tokens.length) throw new Error(`trailing tokens in ${text}`);
  return result;
}

function numberOf(v: AttributeValue | undefined, what: string): number {
  if (!v || !('N' in v)) throw Object.assign(new Error(`An operand in the update expression has an incorrect data type (${what})`), { name: 'ValidationException' });
  return Number(v.N);
}

/** Applies an update expression to a copy of the item. */
export function applyUpdate(text: string, item: Item, e: Expr): Item {
  const out: Item = { ...item };
  const clauses = text.split(/\b(SET|REMOVE|ADD|DELETE)\b/i).map(s => s.trim()).filter(Boolean);
  for (let c = 0; c < clauses.length; c += 2) {
    const kind = clauses[c].toUpperCase();
    const body = clauses[c + 1] ?? '';
    for (const action of body.split(/,(?![^(]*\))/).map(s => s.trim()).filter(Boolean)) {
      const t = tokenize(action);
      if (kind === 'REMOVE') { delete out[nameOf(t[0], e)]; continue; }
      if (kind === 'ADD') {
        const p = nameOf(t[0], e); const v = valueOf(t[1], e);
        if ('N' in v) out[p] = { N: String((out[p] ? numberOf(out[p], p) : 0) + Number(v.N)) };
        else if ('SS' in v) out[p] = { SS: [...new Set([...(out[p]?.SS ?? []), ...v.SS])] };
        else throw new Error(`ADD of this type is not modelled: ${action}`);
        continue;
      }
      if (kind === 'DELETE') {
        const p = nameOf(t[0], e); const v = valueOf(t[1], e);
        if (!('SS' in v)) throw new Error(`DELETE of this type is not modelled: ${action}`);
        const left = (out[p]?.SS ?? []).filter((x: string) => !v.SS.includes(x));
        if (left.length > 0) out[p] = { SS: left }; else delete out[p]; // DynamoDB drops an empty set
        continue;
      }
      if (kind !== 'SET') throw new Error(`${kind} is not modelled: ${action}`);
      const p = nameOf(t[0], e);
      if (t[1] !== '=') throw new Error(`SET without = : ${action}`);
      const term = (at: number): [AttributeValue | undefined, number] => {
        if (t[at]?.toLowerCase() === 'if_not_exists') {
          const existing = item[nameOf(t[at + 2], e)];
          return [existing ?? operand(t[at + 4], item, e), at + 6];
        }
        return [operand(t[at], item, e), at + 1];
      };
      let [value, next] = term(2);
      while (next < t.length) {
        const op = t[next];
        const [rhs, after] = term(next + 1);
        const sum = op === '+' ? numberOf(value, p) + numberOf(rhs, p) : numberOf(value, p) - numberOf(rhs, p);
        value = { N: String(sum) };
        next = after;
      }
      if (!value) throw new Error(`SET ${p} to a missing attribute: ${action}`);
      out[p] = value;
    }
  }
  return out;
}

/** A DynamoDB table in memory. */
export class TableModel {
  public readonly items = new Map<string, Item>();
  constructor(public readonly name: string, public readonly partitionKey: string) {}

  private keyOf(key: Item): string {
    const k = key[this.partitionKey];
    if (!k) throw Object.assign(new Error(`The provided key element does not match the schema (${this.partitionKey})`), { name: 'ValidationException' });
    return JSON.stringify(k);
  }
  private check(params: any, current: Item | undefined) {
    const names = { names: params.ExpressionAttributeNames, values: params.ExpressionAttributeValues };
    if (params.ConditionExpression && !evaluateCondition(params.ConditionExpression, current, names)) {
      throw Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });
    }
  }
  put(params: any): Record<string, unknown> {
    const k = this.keyOf(params.Item);
    this.check(params, this.items.get(k));
    this.items.set(k, structuredClone(params.Item));
    return {};
  }
  update(params: any): Record<string, unknown> {
    const k = this.keyOf(params.Key);
    const current = this.items.get(k);
    this.check(params, current);
    const expr = { names: params.ExpressionAttributeNames, values: params.ExpressionAttributeValues };
    const next = applyUpdate(params.UpdateExpression, current ?? structuredClone(params.Key), expr);
    this.items.set(k, next);
    return params.ReturnValues === 'ALL_NEW' ? { Attributes: next } : {};
  }
  get(params: any): Record<string, unknown> {
    const item = this.items.get(this.keyOf(params.Key));
    return item ? { Item: structuredClone(item) } : {};
  }
  delete(params: any): Record<string, unknown> {
    const k = this.keyOf(params.Key);
    this.check(params, this.items.get(k));
    this.items.delete(k);
    return {};
  }
}

/** Every service a test's state machines and handlers talk to, in memory. */
export class LocalServices {
  public readonly tables = new Map<string, TableModel>();
  /** Messages sent, by queue URL. */
  public readonly queues = new Map<string, string[]>();
  /** Events put, in order. */
  public readonly events: Array<{ Source: string; DetailType: string; Detail: unknown; EventBusName?: string }> = [];

  addTable(name: string, partitionKey: string): TableModel {
    const t = new TableModel(name, partitionKey);
    this.tables.set(name, t);
    return t;
  }

  private table(name: string): TableModel {
    const t = this.tables.get(name);
    if (!t) throw Object.assign(new Error(`Requested resource not found: Table: ${name} not found`), { name: 'ResourceNotFoundException' });
    return t;
  }

  /** DynamoDB API by operation name (PutItem, UpdateItem, GetItem, DeleteItem). */
  dynamodb(operation: string, params: any): Record<string, unknown> {
    const t = this.table(params.TableName);
    switch (operation.toLowerCase()) {
      case 'putitem': return t.put(params);
      case 'updateitem': return t.update(params);
      case 'getitem': return t.get(params);
      case 'deleteitem': return t.delete(params);
      default: throw new Error(`DynamoDB ${operation} is not modelled`);
    }
  }

  /** A stand-in for `new DynamoDBClient()` whose `send` runs commands against the model. */
  dynamodbClient(): any {
    return {
      send: async (command: { constructor: { name: string }; input: unknown }) =>
        this.dynamodb(command.constructor.name.replace(/Command$/, ''), command.input),
    };
  }

  /** The ServiceModel for runLocally: optimized and aws-sdk integrations of DynamoDB, SQS, EventBridge. */
  readonly model: ServiceModel = (resource, params) => {
    const m = /^arn:aws:states:::(aws-sdk:)?([a-z0-9]+):([A-Za-z]+)(\.sync|\.waitForTaskToken)?$/.exec(resource);
    if (!m) throw new Error(`resource ${resource} is not modelled`);
    const [, sdk, service, action] = m;
    try {
      if (service === 'dynamodb') return this.dynamodb(action, params);
      if (service === 'sqs' && action.toLowerCase() === 'sendmessage') {
        const url = String(params.QueueUrl);
        const body = typeof params.MessageBody === 'string' ? params.MessageBody : JSON.stringify(params.MessageBody);
        this.queues.set(url, [...(this.queues.get(url) ?? []), body]);
        return { MessageId: `m-${this.queues.get(url)!.length}`, MD5OfMessageBody: '' };
      }
      if (service === 'events' && action.toLowerCase() === 'putevents') {
        const entries = params.Entries as Array<any>;
        for (const e of entries) this.events.push({ Source: e.Source, DetailType: e.DetailType, Detail: typeof e.Detail === 'string' ? JSON.parse(e.Detail) : e.Detail, EventBusName: e.EventBusName });
        return { Entries: entries.map((_e, i) => ({ EventId: `e-${this.events.length - entries.length + i}` })), FailedEntryCount: 0 };
      }
    } catch (err) {
      // Step Functions prefixes a service's error with the service name: DynamoDB. for the
      // optimized integration, DynamoDb. (the SDK's casing) for aws-sdk:dynamodb.
      const prefix = service === 'dynamodb' ? (sdk ? 'DynamoDb' : 'DynamoDB') : service.toUpperCase();
      const e = err as Error;
      const named = new Error(e.message);
      named.name = `${prefix}.${e.name}`;
      throw named;
    }
    throw new Error(`${service}:${action} is not modelled`);
  };
}
