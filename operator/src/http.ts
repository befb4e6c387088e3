/** /healthz (process alive), /readyz (informers synced, or standing by as a follower), /metrics. */
import express from 'express';
import type { Server } from 'node:http';
import type { Registry } from 'prom-client';

export interface HealthSource {
  ready(): boolean;
}

export function startHttp(
  host: string,
  port: number,
  registry: Registry,
  health: HealthSource,
): Promise<Server> {
  const app = express();
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });
  app.get('/readyz', (_req, res) => {
    const ok = health.ready();
    res
      .status(ok ? 200 : 503)
      .type('text/plain')
      .send(ok ? 'ready\n' : 'not ready\n');
  });
  app.get('/metrics', async (_req, res) => {
    res.type(registry.contentType).send(await registry.metrics());
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(server)));
  });
}
