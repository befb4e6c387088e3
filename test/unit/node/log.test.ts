import { createLogger } from '../../../cache-node/src/log.js';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    ...(level ? { level } : {}),
    clock: { now: () => Date.UTC(2026, 0, 2, 3, 4, 5) },
    write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>),
  });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line with time, level, msg and fields', () => {
    const { logger, lines } = capture();
    logger.info('ready', { port: 8080 });
    expect(lines).toEqual([
      { time: '2026-01-02T03:04:05.000Z', level: 'info', msg: 'ready', port: 8080 },
    ]);
  });

  it('drops lines below the level', () => {
    const { logger, lines } = capture('warn');
    logger.debug('a');
    logger.info('b');
    logger.warn('c');
    logger.error('d');
    expect(lines.map((l) => l.msg)).toEqual(['c', 'd']);
  });

  it('adds child fields to every line, the call fields winning', () => {
    const { logger, lines } = capture();
    logger.child({ member: 'm1', component: 'http' }).info('x', { component: 'other' });
    expect(lines[0]).toMatchObject({ member: 'm1', component: 'other' });
  });

  it('keeps the message and code of errors', () => {
    const { logger, lines } = capture();
    const err = Object.assign(new Error('in use'), { code: 'EADDRINUSE' });
    logger.error('failed', { err, plain: new Error('boom') });
    expect(lines[0]).toMatchObject({
      err: { message: 'in use', code: 'EADDRINUSE' },
      plain: 'boom',
    });
  });
});
