/**
 * The Data API sink's SQL path on a real PostgreSQL server: the exact BatchExecuteStatement
 * input the sink builds runs on PostgreSQL through test/sql/postgres-data-api.ts.
 */
import { Pool } from 'pg';
import { dataApiOnPostgres, startPostgres, toPositional, type RunningPostgres } from './postgres-data-api';
import { dataApiSink, parseParameterMapping } from '../../lambda/write-buffer/data-api';
import { deadLetterSender } from '../../lambda/write-buffer/dead-letter';
import { processBatch, type BatchSummary } from '../../lambda/write-buffer/writer';
import { fakeClock, sqsEvent, sqsRecord, context, scriptedClient } from '../lambda/write-buffer/support';

jest.setTimeout(180_000);

let server: RunningPostgres;
let pg: Pool;

beforeAll(async () => {
  server = startPostgres();
  pg = new Pool({ host: '127.0.0.1', port: server.port, user: server.user, database: 'postgres', max: 8 });
});
afterAll(async () => {
  await pg?.end();
  server?.stop();
});

const SQL = 'INSERT INTO orders (id, amount, qty, paid, meta, created_at) VALUES (:id, :amount, :qty, :paid, :meta, :created) ON CONFLICT (id) DO NOTHING';
const MAPPING = JSON.stringify([
  { name: 'id', field: 'orderId', type: 'string' },
  { name: 'amount', field: 'total.amount', type: 'double' },
  { name: 'qty', field: 'qty', type: 'long' },
  { name: 'paid', field: 'paid', type: 'boolean' },
  { name: 'meta', field: 'meta', type: 'json' },
  { name: 'created', field: 'createdAt', type: 'timestamp' },
]);

beforeEach(async () => {
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  await pg.query('DROP TABLE IF EXISTS orders');
  await pg.query(`CREATE TABLE orders (
    id text PRIMARY KEY, amount double precision CHECK (amount >= 0), qty bigint, paid boolean, meta jsonb, created_at timestamp)`);
});

function writer(chunkSize = 100) {
  const sql = dataApiOnPostgres(pg);
  const dlq = scriptedClient([(input: any) => ({ Successful: input.Entries.map((e: any) => ({ Id: e.Id })) })]);
  const summaries: BatchSummary[] = [];
  return {
    sql,
    dlq,
    summaries,
    writer: {
      sink: dataApiSink(sql, {
        resourceArn: 'arn:aws:rds:us-east-1:111111111111:cluster:orders',
        secretArn: 'arn:aws:secretsmanager:us-east-1:111111111111:secret:db',
        database: 'postgres',
        sql: SQL,
        mapping: parseParameterMapping(MAPPING, SQL),
        chunkSize,
        clock: fakeClock(Date.now()),
      }),
      deadLetter: deadLetterSender(dlq, { queueUrl: 'https://sqs/dlq', clock: fakeClock(Date.now()) }),
      log: (s: BatchSummary) => summaries.push(s),
    },
  };
}

const order = (i: number, extra: Record<string, unknown> = {}) => JSON.stringify({
  orderId: `o-${i}`, total: { amount: i + 0.25 }, qty: 2 ** 40 + i, paid: i % 2 === 0, meta: { tags: ['a', i] }, createdAt: `2026-11-23T03:00:${String(i % 60).padStart(2, '0')}.123Z`, ...extra,
});

test('placeholders become positional parameters (literals, quoted names and casts untouched)', () => {
  expect(toPositional('SELECT :a, \':b\', ":c", x::int, :a, :d', new Map([['d', 'JSON']]))).toEqual({ text: 'SELECT $1, \':b\', ":c", x::int, $1, $2::json', names: ['a', 'd'] });
});

test('rows are written with typed parameters, one BatchExecuteStatement per chunk', async () => {
  const w = writer(50);
  const records = Array.from({ length: 120 }, (_, i) => sqsRecord(`m${i}`, order(i)));
  const out = await processBatch(w.writer, sqsEvent(records), context());
  expect(out).toEqual({ batchItemFailures: [] });
  expect(w.sql.calls.map(c => c.parameterSets.length)).toEqual([50, 50, 20]);
  expect(w.summaries[0]).toMatchObject({ received: 120, written: 120, failed: 0, requests: 3 });
  const { rows } = await pg.query('SELECT * FROM orders ORDER BY id');
  expect(rows).toHaveLength(120);
  const row = rows.find(r => r.id === 'o-7');
  expect(row).toEqual({
    id: 'o-7', amount: 7.25, qty: String(2 ** 40 + 7), paid: false, meta: { tags: ['a', 7] }, created_at: expect.any(Date),
  });
  // timestamp without time zone: the UTC wall clock the sink formatted.
  const { rows: [t] } = await pg.query('SELECT to_char(created_at, \'YYYY-MM-DD HH24:MI:SS.MS\') AS t, pg_typeof(meta)::text AS m FROM orders WHERE id = \'o-7\'');
  expect(t).toEqual({ t: '2026-11-23 03:00:07.123', m: 'jsonb' });
});

test('missing fields are NULL; a wrong type is poison sent to the DLQ, not written', async () => {
  const w = writer();
  const out = await processBatch(w.writer, sqsEvent([
    sqsRecord('a', JSON.stringify({ orderId: 'o-a' })),
    sqsRecord('b', JSON.stringify({ orderId: 'o-b', qty: 'many' })),
  ]), context());
  expect(out).toEqual({ batchItemFailures: [] });
  const { rows } = await pg.query('SELECT id, amount, qty, paid, meta, created_at FROM orders');
  expect(rows).toEqual([{ id: 'o-a', amount: null, qty: null, paid: null, meta: null, created_at: null }]);
  expect(w.dlq.calls[0].input.Entries[0].MessageAttributes.writeBufferError.StringValue).toBe('InvalidParameter');
});

test('re-delivery is idempotent: ON CONFLICT keeps one row per id, the first version', async () => {
  const w = writer();
  const records = Array.from({ length: 10 }, (_, i) => sqsRecord(`m${i}`, order(i)));
  await processBatch(w.writer, sqsEvent(records), context());
  // The same messages again (SQS at-least-once), one with a changed body.
  const again = [...records, sqsRecord('m3-again', order(3, { total: { amount: 999 } }))];
  const out = await processBatch(w.writer, sqsEvent(again), context());
  expect(out).toEqual({ batchItemFailures: [] });
  const { rows } = await pg.query('SELECT count(*)::int AS n, max(amount) AS max FROM orders');
  expect(rows[0]).toEqual({ n: 10, max: 9.25 });
});

test('a failing statement maps back to exactly the message ids of its chunk; other chunks are written', async () => {
  const w = writer(3);
  const records = Array.from({ length: 9 }, (_, i) => sqsRecord(`m${i}`, i === 4 ? order(i, { total: { amount: -1 } }) : order(i)));
  const out = await processBatch(w.writer, sqsEvent(records), context());
  // m4 violates CHECK (amount >= 0): its chunk (m3, m4, m5) is rolled back and reported.
  expect(out.batchItemFailures.map(f => f.itemIdentifier)).toEqual(['m3', 'm4', 'm5']);
  const { rows } = await pg.query('SELECT id FROM orders ORDER BY id');
  expect(rows.map(r => r.id)).toEqual(['o-0', 'o-1', 'o-2', 'o-6', 'o-7', 'o-8']);
  expect(w.summaries[0]).toMatchObject({ received: 9, written: 6, failed: 3 });
});
