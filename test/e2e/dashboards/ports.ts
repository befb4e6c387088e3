/** Free loopback ports for the processes an e2e test starts. */
import { createServer } from 'node:net';

const isFree = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });

/** A base port such that base..base+count-1 are all free on `host`. */
export async function freePortRange(count: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 30000);
    const checks = await Promise.all(
      Array.from({ length: count }, (_, i) => isFree(base + i, host)),
    );
    if (checks.every(Boolean)) return base;
  }
  throw new Error(`no ${count} consecutive free ports on ${host}`);
}
