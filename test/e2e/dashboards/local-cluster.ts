/** `npm start`'s local cluster (the built cache-node/dist/local-cluster.js with the same flags). */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';

export interface LocalCluster {
  httpUrls: string[];
  protocolPorts: number[];
  pids: number[];
  stop(): Promise<void>;
}

const root = join(import.meta.dirname, '..', '..', '..');

export async function startLocalCluster(opts: {
  nodes: number;
  port: number;
  httpPort: number;
  config: string;
}): Promise<LocalCluster> {
  const args = [
    join(root, 'cache-node/dist/local-cluster.js'),
    `--nodes=${opts.nodes}`,
    `--port=${opts.port}`,
    `--http-port=${opts.httpPort}`,
    `--config=${opts.config}`,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(killer);
    }
  };
  const pids: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`local cluster not ready: ${stderr}`)),
        45_000,
      );
      void exited.then(() => reject(new Error(`local cluster exited: ${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        const pid = /pid=(\d+)/.exec(line);
        if (pid) pids.push(Number(pid[1]));
        if (line.startsWith('local cluster of')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  const range = (base: number) => Array.from({ length: opts.nodes }, (_, i) => base + i);
  return {
    httpUrls: range(opts.httpPort).map((p) => `http://127.0.0.1:${p}`),
    protocolPorts: range(opts.port),
    pids,
    stop,
  };
}
