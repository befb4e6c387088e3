/**
 * The cluster as a node service: built from the config, started before the front ends (it
 * replaces ctx.mapService with the routing one and publishes its ClusterView on ctx.cluster),
 * and drained on shutdown (graceful hand-off of owned partitions).
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config/types.js';
import type { NodeContext, NodeService } from '../node.js';
import { Cluster, type ClusterOptions } from './cluster.js';
import { dnsDiscovery } from './discovery/dns.js';
import { kubernetesDiscovery } from './discovery/kubernetes.js';
import { parseMemberList, staticDiscovery } from './discovery/static.js';
import type { Discovery } from './discovery/types.js';
import { memberPortFor, parseHostPort, type MemberInfo } from './member-info.js';
import { DEFAULT_TIMING, type MembershipTiming } from './membership.js';
import type { ClusterView } from '../protocol/cluster-view.js';
import type { InvalidationHub } from '../nearcache/invalidation.js';

/** What the rest of the node sees of the cluster (NodeContext.cluster). */
export interface ClusterHandle {
  readonly view: ClusterView;
  attachInvalidation(hub: InvalidationHub): void;
  isReady(): boolean;
  describe(): Record<string, unknown>;
  /** `fn` runs when this member drops its data to rejoin (see Cluster.onReset). */
  onReset(fn: () => void): () => void;
}

/** True when this member may have peers, i.e. the node needs the clustered data path. */
export function isClustered(config: Config): boolean {
  const d = config.discovery;
  if (d.mode !== 'static') return true;
  const self = `${config.member.host}:${config.member.port}`;
  return d.members.some((m) => m !== self);
}

export function selfInfo(config: Config, httpPort?: number): MemberInfo {
  const m = config.member;
  const pub = m.publicAddress ? parseHostPort(m.publicAddress) : undefined;
  const host = pub?.host ?? m.host;
  const port = pub?.port ?? m.port;
  return {
    id: m.id ?? `${host}:${port}`,
    uuid: randomUUID(),
    host,
    port,
    memberPort: memberPortFor(m.port),
    ...(httpPort !== undefined ? { httpPort } : {}),
    ...(m.zone ? { zone: m.zone } : {}),
  };
}

export function discoveryFor(config: Config, onError: (err: Error) => void): Discovery {
  const d = config.discovery;
  const refreshIntervalMs = d.refreshIntervalSeconds * 1000;
  switch (d.mode) {
    case 'static':
      return staticDiscovery(d.members);
    case 'dns':
      if (!d.dnsName) throw new Error('discovery.dnsName is required in dns mode');
      return dnsDiscovery({
        dnsName: d.dnsName,
        port: config.member.port,
        refreshIntervalMs,
        onError,
      });
    case 'kubernetes':
      if (!d.service || !d.namespace) {
        throw new Error(
          'discovery.service and discovery.namespace are required in kubernetes mode',
        );
      }
      return kubernetesDiscovery({
        namespace: d.namespace,
        service: d.service,
        port: config.member.port,
        onError,
      });
  }
}

/**
 * Failure detection from `member.heartbeatIntervalMillis` / `member.failureTimeoutMillis`. A
 * failure timeout under 3 heartbeats would remove members for one late answer: refused. The stall
 * threshold (a member that was itself stopped re-confirms its membership) is half the timeout.
 */
export function membershipTiming(member: Config['member']): MembershipTiming {
  const heartbeatIntervalMs = member.heartbeatIntervalMillis;
  const failureTimeoutMs = member.failureTimeoutMillis;
  if (failureTimeoutMs < 3 * heartbeatIntervalMs) {
    throw new Error(
      `member.failureTimeoutMillis (${failureTimeoutMs}) must be at least 3 × member.heartbeatIntervalMillis (${heartbeatIntervalMs})`,
    );
  }
  return {
    heartbeatIntervalMs,
    failureTimeoutMs,
    reconnectIntervalMs: Math.min(DEFAULT_TIMING.reconnectIntervalMs, heartbeatIntervalMs),
    stallThresholdMs: failureTimeoutMs / 2,
  };
}

export function clusterOptions(
  config: Config,
  ctx: Pick<NodeContext, 'store' | 'logger' | 'metrics'>,
  timing?: Partial<MembershipTiming>,
): ClusterOptions {
  const log = ctx.logger.child({ component: 'cluster' });
  parseMemberList(config.discovery.members); // refuse a malformed list before binding anything
  return {
    settings: {
      clusterName: config.clusterName,
      partitionCount: config.partitionCount,
      backupCount: config.backupCount,
      backupMode: config.backupMode,
      readFromBackup: config.readFromBackup,
      memberNearCacheMaxEntries: config.invalidation.memberNearCacheMaxEntries,
      handoffTimeoutSeconds: config.shutdown.handoffTimeoutSeconds,
      maxFrameBytes: config.limits.maxFrameBytes,
      writeBufferBytes: config.limits.writeBufferBytes,
      credentials: config.credentials,
    },
    self: selfInfo(config, config.member.httpPort),
    store: ctx.store,
    discovery: discoveryFor(config, (err) => log.warn(`discovery: ${err.message}`)),
    log,
    metrics: ctx.metrics,
    timing: { ...membershipTiming(config.member), ...timing },
    // Kubernetes and DNS discovery run members as StatefulSet pods named <name>-<ordinal>.
    statefulSetOrdinals: config.discovery.mode === 'kubernetes' || config.discovery.mode === 'dns',
  };
}

export function clusterService(
  timing?: Partial<MembershipTiming>,
): NodeService & { cluster(): Cluster | undefined } {
  let cluster: Cluster | undefined;
  return {
    name: 'cluster',
    cluster: () => cluster,
    async start(ctx) {
      cluster = new Cluster(clusterOptions(ctx.config, ctx, timing));
      await cluster.start();
      ctx.mapService = cluster.mapService;
      ctx.cluster = cluster;
    },
    async drain() {
      await cluster?.leave();
    },
    async stop() {
      await cluster?.stop();
    },
  };
}
