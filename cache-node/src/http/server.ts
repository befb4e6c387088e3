/** Listens with an express app and closes it cleanly (idle keep-alive sockets included). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

export interface HttpServer {
  readonly server: Server;
  /** The bound address (port 0 resolves to the real port). */
  readonly address: AddressInfo;
  /** Stops accepting, lets in-flight requests finish, drops idle connections. */
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 2000;

export async function listenHttp(app: Express, host: string, port: number): Promise<HttpServer> {
  const server = createServer(app);
  // Behind load balancers that keep connections longer than Node's 5 s default.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    server,
    address: server.address() as AddressInfo,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
        // A client under load keeps its keep-alive connections busy, so they never go idle:
        // after a short grace for in-flight requests, close them too or shutdown never ends.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}
