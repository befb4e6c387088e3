/**
 * The Hazelcast client protocol server. `startProtocolServer` wires a ProtocolService (request
 * handling, near-cache listeners) to a socket adapter; node.ts calls it with the node's
 * MapService, store change feed and cluster view.
 */
import { randomUUID } from 'node:crypto';
import type { Credentials } from './auth.js';
import { singleMemberView, type ClusterView } from './cluster-view.js';
import type { ProtocolLogger, ProtocolMetrics } from './observability.js';
import { ProtocolService } from './protocol-service.js';
import { ProtocolServer } from './server.js';
import type { MapService } from '../service/map-service.js';
import type { StoreApi } from '../store/types.js';
import type { PartitionSequences } from '../nearcache/partition-sequences.js';

export * from './cluster-view.js';
export { ProtocolService } from './protocol-service.js';
export { ProtocolServer } from './server.js';
export type { ProtocolLogger, ProtocolMetrics } from './observability.js';

export interface StartProtocolOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Address advertised to clients; defaults to host and the bound port. */
  publicAddress?: { host: string; port: number };
  clusterName: string;
  partitionCount: number;
  credentials?: Credentials | undefined;
  limits: { maxFrameBytes: number; maxConnections: number; writeBufferBytes: number };
  invalidation: { batchMaxDelayMillis: number; batchSize: number };
  maps: MapService;
  changes: Pick<StoreApi, 'onChange'>;
  /** A cluster's view; default: a cluster of one with a fresh member UUID and cluster id. */
  view?: (bound: { host: string; port: number }) => ClusterView;
  sequences?: PartitionSequences;
  logger?: ProtocolLogger;
  metrics?: ProtocolMetrics;
}

export interface RunningProtocolServer {
  service: ProtocolService;
  server: ProtocolServer;
  address: { host: string; port: number };
  stop(): Promise<void>;
}

export async function startProtocolServer(
  opts: StartProtocolOptions,
): Promise<RunningProtocolServer> {
  // The view needs the bound address (port 0 in tests): bind first, then serve.
  const server = new ProtocolServer({
    host: opts.host,
    port: opts.port,
    ...opts.limits,
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const bound = await server.listen();
  const address = opts.publicAddress ?? { host: opts.host, port: bound.port };
  const view =
    opts.view?.(address) ??
    singleMemberView({
      memberUuid: randomUUID(),
      clusterId: randomUUID(),
      address,
      partitionCount: opts.partitionCount,
    });
  const service = new ProtocolService({
    view,
    maps: opts.maps,
    clusterName: opts.clusterName,
    credentials: opts.credentials,
    invalidation: opts.invalidation,
    ...(opts.sequences ? { sequences: opts.sequences } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
  });
  server.serve(service);
  const detach = service.attachChanges(opts.changes);
  return {
    service,
    server,
    address,
    stop: async () => {
      detach();
      service.stop();
      await server.close();
    },
  };
}
