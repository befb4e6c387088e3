/** Serves the real HTTP app over a real store on 127.0.0.1:0, with a fake clock and no timers. */
import { isMapAllowed } from '../../../cache-node/src/config/map-names.js';
import { validateConfig } from '../../../cache-node/src/config/validate.js';
import type { Config } from '../../../cache-node/src/config/types.js';
import { createHttpApp } from '../../../cache-node/src/http/app.js';
import { listenHttp, type HttpServer } from '../../../cache-node/src/http/server.js';
import { silentLogger } from '../../../cache-node/src/log.js';
import { createNodeMetrics, type NodeMetrics } from '../../../cache-node/src/metrics.js';
import { createLocalMapService } from '../../../cache-node/src/service/local-map-service.js';
import type { MapService } from '../../../cache-node/src/service/map-service.js';
import { createStore } from '../../../cache-node/src/store/index.js';
import type { StoreApi } from '../../../cache-node/src/store/types.js';

export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

export function fakeClock(start = 1_700_000_000_000): FakeClock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

export interface Harness {
  url: string;
  config: Config;
  store: StoreApi;
  metrics: NodeMetrics;
  clock: FakeClock;
  setReady(ready: boolean): void;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

const noTimers = { setInterval: () => ({ cancel: () => undefined }) };

export async function startHarness(
  rawConfig: unknown = {},
  wrap: (svc: MapService) => MapService = (svc) => svc,
): Promise<Harness> {
  const config = validateConfig(rawConfig);
  const clock = fakeClock();
  const store = createStore({
    clock,
    scheduler: noTimers,
    partitionCount: config.partitionCount,
    maps: config.maps,
    defaultMap: config.defaultMap,
    undeclaredMaps: config.undeclaredMaps,
    hotKeys: config.hotKeys,
    maintenance: config.maintenance,
  });
  let ready = true;
  const metrics = createNodeMetrics({ store, processMetrics: false, isReady: () => ready });
  const app = createHttpApp({
    config,
    store,
    metrics,
    mapService: wrap(
      createLocalMapService(store, { isAllowed: (name) => isMapAllowed(config, name) }),
    ),
    logger: silentLogger,
    isReady: () => ready,
  });
  const server: HttpServer = await listenHttp(app, '127.0.0.1', 0);
  const { port } = server.address;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    config,
    store,
    metrics,
    clock,
    setReady: (r) => (ready = r),
    fetch: (path, init) => fetch(`${url}${path}`, init),
    close: () => server.close(),
  };
}

/** The JSON error body of a failed response, checked for shape. */
export async function errorOf(
  res: Response,
): Promise<{ status: number; code: string; message: string }> {
  const body = (await res.json()) as { error: { code: string; message: string } };
  return { status: res.status, code: body.error.code, message: body.error.message };
}
