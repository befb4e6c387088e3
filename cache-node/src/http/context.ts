/** What the HTTP routes need from the node; node.ts builds it. */
import type { Config } from '../config/types.js';
import type { Logger } from '../log.js';
import type { NodeMetrics } from '../metrics.js';
import type { MapService } from '../service/map-service.js';
import type { StoreApi } from '../store/types.js';

export interface HttpContext {
  config: Config;
  /** Entry reads and writes go through here (the cluster swaps in a routing implementation). */
  mapService: MapService;
  /** Stats, hot keys, recommendations, prefetch and admin read the local store. */
  store: StoreApi;
  metrics: NodeMetrics;
  logger: Logger;
  /** /readyz: true while the member serves traffic. */
  isReady(): boolean;
  /** Monotonic milliseconds for latency metrics; default performance.now. */
  now?: () => number;
}
