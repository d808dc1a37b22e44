/**
 * Test support for the Data API sink against a real PostgreSQL server:
 * - startPostgres(): scripts/postgres.sh (installs the Debian package if missing, initdb, a
 *   server on a free 127.0.0.1 port as its own process), stopped by pid;
 * - dataApiOnPostgres(): an AwsJsonClient that accepts the exact BatchExecuteStatement input the
 *   sink builds (sql with :name placeholders + typed parameter sets) and runs the same statements
 *   on PostgreSQL, the way the Data API does: one transaction per call, typeHint JSON/TIMESTAMP as
 *   casts, errors as BadRequestException.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Pool } from 'pg';
import { AwsError, type AwsJsonClient } from '../../lambda/write-buffer/aws';
import type { BatchExecuteStatementInput, SqlParameter } from '../../lambda/write-buffer/data-api';

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'postgres.sh');

export interface RunningPostgres {
  readonly port: number;
  readonly pid: number;
  readonly user: string;
  stop(): void;
}

export function startPostgres(): RunningPostgres {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cip-pg-'));
  fs.chmodSync(dir, 0o755);
  const out = execFileSync('bash', [SCRIPT, 'start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const vars = Object.fromEntries(out.trim().split(/\s+/).map(kv => kv.split('=') as [string, string]));
  return {
    port: Number(vars.PGPORT),
    pid: Number(vars.PGPID),
    user: vars.PGUSER,
    stop: () => { execFileSync('bash', [SCRIPT, 'stop', dir], { stdio: 'inherit' }); },
  };
}

/**
 * Translates Data API named placeholders (`:id`) to PostgreSQL positional ones (`$1`), skipping
 * string literals, quoted identifiers and `::` casts. Returns the SQL and the names in order.
 */
export function toPositional(sql: string, hints: ReadonlyMap<string, string | undefined> = new Map()): { text: string; names: string[] } {
  const names: string[] = [];
  const text = sql.replace(/::|'(?:[^']|'')*'|"(?:[^"]|"")*"|:([A-Za-z_][A-Za-z0-9_]*)/g, (match, name: string | undefined) => {
    if (!name) return match;
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    const hint = hints.get(name);
    const cast = hint === 'JSON' ? '::json' : hint === 'TIMESTAMP' ? '::timestamp' : '';
    return `$${index + 1}${cast}`;
  });
  return { text, names };
}

function valueOf(p: SqlParameter): unknown {
  const v = p.value;
  if (v.isNull) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.longValue !== undefined) return String(v.longValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  if (v.booleanValue !== undefined) return v.booleanValue;
  throw new AwsError('BadRequestException', `parameter ${p.name} has no value`, 400, false);
}

/**
 * An AwsJsonClient for BatchExecuteStatement that runs on PostgreSQL. Each call takes its own
 * connection from the pool (like independent Data API calls), so parallel chunks never share
 * a transaction.
 */
export function dataApiOnPostgres(pool: Pool): AwsJsonClient & { calls: BatchExecuteStatementInput[] } {
  const calls: BatchExecuteStatementInput[] = [];
  return {
    calls,
    async send(operation, input) {
      if (operation !== 'BatchExecuteStatement') throw new AwsError('UnknownOperationException', operation, 400, false);
      const req = input as BatchExecuteStatementInput;
      calls.push(req);
      const hints = new Map(req.parameterSets[0]?.map(p => [p.name, p.typeHint]) ?? []);
      const { text, names } = toPositional(req.sql, hints);
      const client = await pool.connect();
      await client.query('BEGIN');
      try {
        for (const set of req.parameterSets) {
          const byName = new Map(set.map(p => [p.name, p]));
          const values = names.map(n => {
            const p = byName.get(n);
            if (!p) throw new AwsError('BadRequestException', `No value specified for parameter: ${n}`, 400, false);
            return valueOf(p);
          });
          await client.query(text, values);
        }
        await client.query('COMMIT');
      } catch (e) {
        await client.query('ROLLBACK');
        if (e instanceof AwsError) throw e;
        throw new AwsError('BadRequestException', (e as Error).message, 400, false);
      } finally {
        client.release();
      }
      return { updateResults: req.parameterSets.map(() => ({ generatedFields: [] })) };
    },
  };
}
