/**
 * The machine's floor for a request/response on loopback: a bare Node echo server in its own
 * process (no protocol, no work) and one 64-byte message per sample, paced like the benchmark
 * that uses it. Any remote-call latency measured on the same machine at the same rate includes at
 * least this (two process wake-ups and two socket hops), so benchmarks print it side by side.
 */
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { percentile, sleepUntil } from './cli.js';

const ECHO_SERVER = `
const s = require('node:net').createServer((c) => { c.setNoDelay(true); c.on('data', (d) => c.write(d)); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;

export interface EchoFloor {
  /** `samples` round trips paced at `rate` per second: p50/p99/max in ms. */
  measure(rate: number, samples: number): Promise<{ p50Ms: number; p99Ms: number; maxMs: number }>;
  close(): void;
}

export async function startEchoFloor(): Promise<EchoFloor> {
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
  });
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const message = Buffer.alloc(64, 1);
  return {
    async measure(rate, samples) {
      const latencies: number[] = [];
      const start = performance.now();
      for (let i = 0; i < samples; i++) {
        await sleepUntil(start + (i * 1000) / rate);
        const t0 = performance.now();
        const echoed = new Promise<void>((resolve) => socket.once('data', () => resolve()));
        socket.write(message);
        await echoed;
        latencies.push(performance.now() - t0);
      }
      const sorted = Float64Array.from(latencies).sort();
      const r3 = (x: number) => Number(x.toFixed(3));
      return {
        p50Ms: r3(percentile(sorted, 0.5)),
        p99Ms: r3(percentile(sorted, 0.99)),
        maxMs: r3(sorted[sorted.length - 1]),
      };
    },
    close() {
      socket.destroy();
      child.kill();
    },
  };
}
