/**
 * The protocol server as a node service (see the extension point documented in node.ts): it
 * listens on `member.host:member.port`, serves `ctx.mapService` (the cluster's routing service
 * when clustered), stamps invalidations from the store's change feed, and, when clustered, takes
 * the cluster's view and hands it the invalidation hub for broadcast.
 */
import type { NodeContext, NodeService } from '../node.js';
import type { NodeMetrics } from '../metrics.js';
import { startProtocolServer, type RunningProtocolServer } from './index.js';
import type { ProtocolMetrics } from './observability.js';
import type { ProtocolService } from './protocol-service.js';

function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  return { host: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

/** The protocol's metric hooks on the node's registry (names in docs/metrics.md). */
export function protocolMetrics(m: NodeMetrics): ProtocolMetrics {
  return {
    clientConnections: (n) => m.clientConnections.set(n),
    protocolError: (reason) => m.protocolErrors.inc({ reason }),
    invalidationsSent: (map, n) => m.invalidationsSent.inc({ map, target: 'client' }, n),
    invalidationsDropped: (map, reason, n) => m.invalidationsDropped.inc({ map, reason }, n),
    operation: (map, op, result, seconds) =>
      m.observeOperation('hazelcast', map, op, result, seconds),
  };
}

export interface ProtocolNodeService extends NodeService {
  /** The running server (after start): address, service and its test hooks. */
  running(): RunningProtocolServer;
  service(): ProtocolService;
}

export function protocolService(): ProtocolNodeService {
  let running: RunningProtocolServer | undefined;
  const get = (): RunningProtocolServer => {
    if (!running) throw new Error('protocol service not started');
    return running;
  };
  return {
    name: 'hazelcast-protocol',
    async start(ctx: NodeContext) {
      const { config } = ctx;
      const { member } = config;
      const cluster = ctx.cluster;
      running = await startProtocolServer({
        host: member.host,
        port: member.port,
        ...(member.publicAddress ? { publicAddress: parseHostPort(member.publicAddress) } : {}),
        clusterName: config.clusterName,
        partitionCount: config.partitionCount,
        credentials: config.credentials,
        limits: config.limits,
        invalidation: config.invalidation,
        maps: ctx.mapService,
        changes: ctx.store,
        ...(cluster ? { view: () => cluster.view } : {}),
        logger: ctx.logger.child({ component: 'protocol' }),
        metrics: protocolMetrics(ctx.metrics),
      });
      cluster?.attachInvalidation(running.service.hub);
      const protocol = running;
      cluster?.onReset(() => {
        const n = protocol.service.closeAll();
        ctx.logger.warn('closed client connections after rejoining the cluster', { count: n });
      });
      ctx.logger.info('hazelcast protocol listening', {
        host: running.address.host,
        port: running.server.port,
        memberUuid: running.service.view.localMember.uuid,
      });
    },
    async stop() {
      await running?.stop();
    },
    running: get,
    service: () => get().service,
  };
}
