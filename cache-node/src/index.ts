/** Public API of the cache-node package (curated: internals stay behind their modules). */
export * from './data/index.js';
export * from './config/index.js';
export type * from './store/types.js';
export { createStore } from './store/index.js';
export { createLocalMapService } from './service/local-map-service.js';
export { UnknownMapError, type MapService, type Entry } from './service/map-service.js';
export { createNodeMetrics, type NodeMetrics } from './metrics.js';
export { createLogger, silentLogger, type Logger, type LogLevel } from './log.js';
export { createHttpApp, listenHttp, type HttpContext, type HttpServer } from './http/index.js';
export {
  startNode,
  httpService,
  type CacheNode,
  type NodeContext,
  type NodeOptions,
  type NodeService,
} from './node.js';
