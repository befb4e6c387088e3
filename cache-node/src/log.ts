/**
 * A tiny structured logger: one JSON object per line, `{time, level, msg, ...fields}`. Enough for
 * kubectl logs and for tests (inject `write` and `clock`); no dependency.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (e.g. the member id, the component). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  write?: (line: string) => void;
  clock?: { now(): number };
  fields?: LogFields;
}

/** Errors do not survive JSON.stringify; keep their message (and code) instead. */
function plain(value: unknown): unknown {
  if (value instanceof Error) {
    const code = (value as NodeJS.ErrnoException).code;
    return code === undefined ? value.message : { message: value.message, code };
  }
  return value;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const min = RANK[opts.level ?? 'info'];
  const write = opts.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = opts.clock ?? Date;
  const base = opts.fields ?? {};
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (RANK[level] < min) return;
      const record: LogFields = { time: new Date(clock.now()).toISOString(), level, msg };
      for (const [k, v] of Object.entries({ ...base, ...fields })) record[k] = plain(v);
      write(JSON.stringify(record));
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => createLogger({ ...opts, fields: { ...base, ...fields } }),
  };
}

/** Discards everything (tests that do not look at logs). */
export const silentLogger: Logger = createLogger({ write: () => undefined });
