/**
 * HTTP API throughput: GETs and PUTs of a small JSON value through a real node's express app,
 * against a bare node:http server answering the same bytes (the reference, same run, same
 * client). `npm run bench -- http-api --seconds 5 --concurrency 32`
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { validateConfig } from '../../cache-node/src/config/validate.js';
import { silentLogger } from '../../cache-node/src/log.js';
import { startNode } from '../../cache-node/src/node.js';
import { freePort } from '../helpers/processes.js';

export const defaultArgs = ['--seconds', '3', '--concurrency', '16'];

const VALUE = JSON.stringify({ id: 42, name: 'metadata', tags: ['a', 'b', 'c'] });

/** Requests completed by `concurrency` loops for `seconds`, each issuing `request()`. */
async function drive(seconds: number, concurrency: number, request: (i: number) => Promise<void>) {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        await request(done);
        done += 1;
      }
    }),
  );
  return done / seconds;
}

async function consume(res: Response, expected: number): Promise<void> {
  await res.arrayBuffer();
  if (res.status !== expected) throw new Error(`status ${res.status}, expected ${expected}`);
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      seconds: { type: 'string', default: '5' },
      concurrency: { type: 'string', default: '32' },
    },
  });
  const seconds = Number(values.seconds);
  const concurrency = Number(values.concurrency);

  const reference = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(VALUE));
  });
  await new Promise<void>((r) => reference.listen(0, '127.0.0.1', r));
  const refUrl = `http://127.0.0.1:${(reference.address() as AddressInfo).port}/`;

  const node = await startNode(
    validateConfig({
      member: { host: '127.0.0.1', port: await freePort(), httpPort: await freePort() },
    }),
    { logger: silentLogger, processMetrics: false },
  );
  const base = `http://127.0.0.1:${node.httpAddress.port}/v1/maps/bench/entries/`;
  const keys = 1000;
  try {
    for (let k = 0; k < keys; k++) {
      await consume(
        await fetch(`${base}k${k}`, {
          method: 'PUT',
          body: VALUE,
          headers: { 'content-type': 'application/json' },
        }),
        201,
      );
    }
    const refGets = await drive(seconds, concurrency, async () =>
      consume(await fetch(refUrl), 200),
    );
    const gets = await drive(seconds, concurrency, async (i) =>
      consume(await fetch(`${base}k${i % keys}`), 200),
    );
    const puts = await drive(seconds, concurrency, async (i) =>
      consume(
        await fetch(`${base}k${i % keys}`, {
          method: 'PUT',
          body: VALUE,
          headers: { 'content-type': 'application/json' },
        }),
        204,
      ),
    );
    const line = (operation: string, perSecond: number) => ({
      bench: 'http-api',
      operation,
      concurrency,
      requestsPerSecond: Math.round(perSecond),
      referenceRequestsPerSecond: Math.round(refGets),
      ratio: Number((perSecond / refGets).toFixed(3)),
    });
    console.log(JSON.stringify(line('get', gets)));
    console.log(JSON.stringify(line('put', puts)));
  } finally {
    await node.stop();
    await new Promise((r) => reference.close(r));
  }
}
