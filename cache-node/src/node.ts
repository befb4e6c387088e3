/**
 * One member: config → store → map service → services (HTTP now; cluster and protocol server
 * later), with an orderly start and stop.
 *
 * Extension point — how the cluster (issue 4) and the protocol server (issue 3) plug in:
 * write a `NodeService` (name, start(ctx), stop(), optional drain()) and add it to
 * `builtInServices()` below, or pass extra ones to `startNode(config, { services })`.
 * - Services start in list order, after the store is built and the snapshot loaded. A service
 *   may replace `ctx.mapService` in its start (the cluster installs its routing MapService);
 *   services later in the list see the replacement, so the cluster goes first.
 * - Stop: readiness off, then `drain()` of every service in reverse order (cluster hand-off of
 *   owned partitions), then `stop()` in reverse order (servers closed), then the snapshot is
 *   saved and the store's timers stop.
 * - Readiness (/readyz, `metadatacache_ready`): every service started, not stopping, and each
 *   service's optional `isReady()` true (the cluster can hold readiness until it has joined).
 * - `ctx` also carries the config, store, metrics, logger, clock and scheduler, so services
 *   never reach for globals.
 */
import type { AddressInfo } from 'node:net';
import { isMapAllowed } from './config/map-names.js';
import type { Config } from './config/types.js';
import { createHttpApp } from './http/app.js';
import { listenHttp, type HttpServer } from './http/server.js';
import { createLogger, type Logger } from './log.js';
import { createNodeMetrics, type NodeMetrics } from './metrics.js';
import { createLocalMapService } from './service/local-map-service.js';
import type { MapService } from './service/map-service.js';
import { createStore, realScheduler } from './store/index.js';
import { systemClock, type Clock, type Scheduler, type StoreApi } from './store/types.js';
import { clusterService, isClustered, type ClusterHandle } from './cluster/service.js';
import { protocolService } from './protocol/node-service.js';

export interface NodeContext {
  readonly config: Config;
  /** `member.id`, or host:port when not configured. */
  readonly memberId: string;
  readonly store: StoreApi;
  /** Front ends read and write through this; a service may replace it during its start. */
  mapService: MapService;
  readonly metrics: NodeMetrics;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  /** True between "all services started" and the start of shutdown, while every service is ready. */
  isReady(): boolean;
  /**
   * Set by the cluster service when this member has peers: the protocol server takes its
   * `view` (members, partition owners) and hands it its invalidation hub (`attachInvalidation`).
   */
  cluster?: ClusterHandle;
}

export interface NodeService {
  readonly name: string;
  start(ctx: NodeContext): Promise<void>;
  /** Graceful hand-off before servers close (optional). */
  drain?(): Promise<void>;
  stop(): Promise<void>;
  /** Whether this service lets the member take traffic now (optional; default ready). */
  isReady?(): boolean;
}

export interface NodeOptions {
  clock?: Clock;
  scheduler?: Scheduler;
  logger?: Logger;
  /** Extra services, started after the built-in ones. */
  services?: NodeService[];
  /** prom-client process metrics; off in tests that start many nodes in one process. */
  processMetrics?: boolean;
}

export interface CacheNode {
  readonly ctx: NodeContext;
  /** Where the HTTP API listens (port resolved when configured as 0). */
  readonly httpAddress: AddressInfo;
  /** The started services, in start order (find one by `name`, e.g. 'hazelcast-protocol'). */
  readonly services: readonly NodeService[];
  /** Idempotent: a second call returns the first call's promise. */
  stop(): Promise<void>;
}

/** The HTTP API as a service; it reads `ctx.mapService` at start, after the cluster's swap. */
export function httpService(): NodeService & { address(): AddressInfo } {
  let server: HttpServer | undefined;
  return {
    name: 'http',
    async start(ctx) {
      const app = createHttpApp({
        config: ctx.config,
        mapService: ctx.mapService,
        store: ctx.store,
        metrics: ctx.metrics,
        logger: ctx.logger.child({ component: 'http' }),
        isReady: () => ctx.isReady(),
      });
      const { member } = ctx.config;
      server = await listenHttp(app, member.httpHost ?? member.host, member.httpPort);
    },
    address() {
      if (!server) throw new Error('http service not started');
      return server.address;
    },
    async stop() {
      await server?.close();
    },
  };
}

/** The built-in services in start order. Cluster (first) and protocol server add themselves here. */
function builtInServices(config: Config, http: NodeService): NodeService[] {
  return [...(isClustered(config) ? [clusterService()] : []), http, protocolService()];
}

export async function startNode(config: Config, opts: NodeOptions = {}): Promise<CacheNode> {
  const clock = opts.clock ?? systemClock;
  const scheduler = opts.scheduler ?? realScheduler;
  const memberId = config.member.id ?? `${config.member.host}:${config.member.port}`;
  const logger = (opts.logger ?? createLogger({ level: config.logLevel, clock })).child({
    member: memberId,
  });
  const store = createStore({
    clock,
    scheduler,
    partitionCount: config.partitionCount,
    maps: config.maps,
    defaultMap: config.defaultMap,
    undeclaredMaps: config.undeclaredMaps,
    hotKeys: config.hotKeys,
    maintenance: config.maintenance,
  });
  const metrics = createNodeMetrics({
    store,
    processMetrics: opts.processMetrics ?? true,
    isReady: () => ctx.isReady(),
  });
  let ready = false;
  const started: NodeService[] = [];
  const ctx: NodeContext = {
    config,
    memberId,
    store,
    mapService: createLocalMapService(store, { isAllowed: (name) => isMapAllowed(config, name) }),
    metrics,
    logger,
    clock,
    scheduler,
    isReady: () => ready && started.every((s) => s.isReady?.() ?? true),
  };

  await loadSnapshot(ctx);
  store.start();

  const http = httpService();
  const services = [...builtInServices(config, http), ...(opts.services ?? [])];
  try {
    for (const service of services) {
      await service.start(ctx);
      started.push(service);
    }
  } catch (err) {
    // A half-started node releases what it holds (ports, timers) before reporting the failure.
    await stopServices(started, logger);
    store.stop();
    throw err;
  }

  ready = true;

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    ready = false;
    logger.info('stopping');
    await drainServices(started, logger);
    await stopServices(started, logger);
    await saveSnapshot(ctx);
    store.stop();
    logger.info('stopped');
  };
  return {
    ctx,
    httpAddress: http.address(),
    services: started,
    stop: () => (stopping ??= stop()),
  };
}

async function drainServices(services: NodeService[], logger: Logger): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.drain?.();
    } catch (err) {
      logger.warn('drain failed', { service: service.name, err });
    }
  }
}

/** Stops in reverse order; one failure does not keep the others running. */
async function stopServices(services: NodeService[], logger: Logger): Promise<void> {
  for (const service of [...services].reverse()) {
    try {
      await service.stop();
    } catch (err) {
      logger.warn('stop failed', { service: service.name, err });
    }
  }
}

async function loadSnapshot({ config, store, logger }: NodeContext): Promise<void> {
  const { path, loadOnStart } = config.snapshot;
  if (path === undefined || !loadOnStart) return;
  const result = await store.loadSnapshot(path);
  if (result.ok) {
    logger.info('snapshot loaded', { path, maps: result.maps, entries: result.entries });
  } else {
    // Missing on first start is normal; a corrupt file is skipped, never fatal.
    logger.warn('snapshot not loaded', { path, reason: result.reason });
  }
}

async function saveSnapshot({ config, store, logger }: NodeContext): Promise<void> {
  const { path, saveOnShutdown } = config.snapshot;
  if (path === undefined || !saveOnShutdown) return;
  try {
    const result = await store.saveSnapshot(path);
    logger.info('snapshot saved', { path, maps: result.maps, entries: result.entries });
  } catch (err) {
    logger.error('snapshot not saved', { path, err });
  }
}
