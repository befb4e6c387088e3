/**
 * In-process nodes with the protocol server, and hazelcast-client configs, for protocol tests.
 * Ports are free loopback ports; everything started here is stopped by `stop()`.
 */
import net from 'node:net';
import hz from 'hazelcast-client';
import { startNode, type CacheNode } from '../../../../cache-node/src/node.js';
import { validateConfig } from '../../../../cache-node/src/config/index.js';
import type { ProtocolNodeService } from '../../../../cache-node/src/protocol/node-service.js';
import { silentLogger } from '../../../../cache-node/src/log.js';
import type { Clock } from '../../../../cache-node/src/store/types.js';

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface TestNode {
  node: CacheNode;
  protocol: ProtocolNodeService;
  port: number;
  httpPort: number;
  stop(): Promise<void>;
}

export async function startTestNode(
  opts: { port?: number; httpPort?: number; clock?: Clock; config?: Record<string, unknown> } = {},
): Promise<TestNode> {
  const port = opts.port ?? (await freePort());
  const httpPort = opts.httpPort ?? (await freePort());
  const config = validateConfig({
    ...opts.config,
    member: { host: '127.0.0.1', port, httpPort },
    discovery: { mode: 'static', members: [] },
  });
  const node = await startNode(config, {
    processMetrics: false,
    logger: silentLogger,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const protocol = node.services.find((s) => s.name === 'hazelcast-protocol') as
    ProtocolNodeService | undefined;
  if (!protocol) throw new Error('the node did not start its protocol service');
  return { node, protocol, port, httpPort, stop: () => node.stop() };
}

/** A manual clock for TTL tests: time moves only when the test says so. */
export class ManualClock implements Clock {
  constructor(private t = Date.now()) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

export type Client = Awaited<ReturnType<typeof hz.Client.newHazelcastClient>>;

export function clientConfig(
  port: number,
  opts: {
    nearCache?: boolean;
    clusterName?: string;
    properties?: Record<string, unknown>;
    extra?: object;
  } = {},
) {
  return {
    clusterName: opts.clusterName ?? 'dev',
    network: { clusterMembers: [`127.0.0.1:${port}`] },
    ...(opts.nearCache ? { nearCaches: { nc: { invalidateOnChange: true } } } : {}),
    properties: {
      'hazelcast.invalidation.min.reconciliation.interval.seconds': 1,
      'hazelcast.invalidation.reconciliation.interval.seconds': 2,
      'hazelcast.logging.level': 'OFF',
      ...opts.properties,
    },
    ...opts.extra,
  };
}

export async function newClient(
  port: number,
  opts: Parameters<typeof clientConfig>[1] = {},
): Promise<Client> {
  return hz.Client.newHazelcastClient(clientConfig(port, opts));
}

/** Poll until `check` holds (async delivery), failing after `timeoutMs`. */
export async function eventually<T>(
  fn: () => Promise<T>,
  check: (v: T) => boolean,
  timeoutMs = 5000,
  stepMs = 20,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await fn();
  while (!check(last)) {
    if (Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, stepMs));
    last = await fn();
  }
  return last;
}
