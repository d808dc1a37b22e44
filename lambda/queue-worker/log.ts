/**
 * JSON logs: one object per line on stdout (CloudWatch Logs / awslogs parse each line), with
 * `time`, `level`, `msg` and any fields. LOG_LEVEL (debug, info, warn, error; default info) filters.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

/** A JSON logger; `child` adds fields to every line it writes. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function parseLogLevel(raw: string | undefined): LogLevel {
  const value = (raw ?? 'info').toLowerCase();
  return value in RANK ? (value as LogLevel) : 'info';
}

/** Errors become `{ name, message }` (and the stack at debug level) so they survive JSON.stringify. */
function plain(fields: LogFields, withStack: boolean): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    out[k] = v instanceof Error ? { name: v.name, message: v.message, ...(withStack ? { stack: v.stack } : {}) } : v;
  }
  return out;
}

export function createLogger(options: { level?: LogLevel; base?: LogFields; write?: (line: string) => void } = {}): Logger {
  const level = options.level ?? 'info';
  const base = options.base ?? {};
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (RANK[lvl] < RANK[level]) return;
    write(JSON.stringify({ time: new Date().toISOString(), level: lvl, msg, ...plain(base, false), ...plain(fields ?? {}, level === 'debug') }));
  };
  return {
    debug: (msg, f) => emit('debug', msg, f),
    info: (msg, f) => emit('info', msg, f),
    warn: (msg, f) => emit('warn', msg, f),
    error: (msg, f) => emit('error', msg, f),
    child: fields => createLogger({ level, base: { ...base, ...fields }, write }),
  };
}
