/** Statistics, recommendations, hot keys and prefetch: read from (or recorded in) the local store. */
import express, { Router, type Request } from 'express';
import { keyToDisplay } from '../data/index.js';
import { isMapAllowed } from '../config/map-names.js';
import type { Config } from '../config/types.js';
import type { CacheMapApi, StoreApi } from '../store/types.js';
import type { HttpContext } from './context.js';
import { HttpError } from './errors.js';
import { parseKey, parseMapName } from './request.js';
import { UnknownMapError } from '../service/map-service.js';

/** Most keys one prefetch request may name. */
export const PREFETCH_MAX_KEYS = 1000;
const HOT_KEYS_MAX = 1000;

/** An existing map; 404 `unknown_map` for refused names, `map_not_found` for allowed but unused. */
export function existingMap(store: StoreApi, config: Config, rawName: string): CacheMapApi {
  const name = parseMapName(rawName);
  const map = store.getMap(name);
  if (map) return map;
  if (!isMapAllowed(config, name)) throw new UnknownMapError(name);
  throw new HttpError(404, 'map_not_found', `map "${name}" has not been used yet`);
}

function parseLimit(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value) || Number(value) > HOT_KEYS_MAX) {
    throw new HttpError(400, 'bad_limit', `limit must be a whole number from 0 to ${HOT_KEYS_MAX}`);
  }
  return Number(value);
}

function parsePrefetchKeys(body: unknown, maxKeyBytes: number): Buffer[] {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (
    body === null ||
    typeof body !== 'object' ||
    Array.isArray(body) ||
    Object.keys(body).some((k) => k !== 'keys') ||
    !Array.isArray(keys) ||
    keys.length === 0 ||
    keys.length > PREFETCH_MAX_KEYS ||
    !keys.every((k): k is string => typeof k === 'string' && k.length > 0)
  ) {
    throw new HttpError(
      400,
      'bad_prefetch',
      `body must be {"keys": [...]} with 1 to ${PREFETCH_MAX_KEYS} non-empty strings`,
    );
  }
  return keys.map((k) => parseKey(k, maxKeyBytes));
}

/** JSON bodies only; any other Content-Type is a 415 rather than a silently empty body. */
export function jsonBody(limit: number): express.RequestHandler[] {
  return [
    (req: Request, _res, next) => {
      if (!req.is('application/json')) {
        throw new HttpError(
          415,
          'unsupported_content_type',
          'Content-Type must be application/json',
        );
      }
      next();
    },
    express.json({ limit, strict: true }),
  ];
}

export function mapsRouter(ctx: HttpContext): Router {
  const { store, config } = ctx;
  const router = Router();

  router.get('/v1/stats', (_req, res) => {
    const maps = store.mapNames().flatMap((n) => store.getMap(n)?.stats() ?? []);
    res.json({ maps });
  });

  router.get('/v1/maps/:map/stats', (req, res) => {
    res.json(existingMap(store, config, String(req.params.map)).stats());
  });

  router.get('/v1/recommendations', (_req, res) => {
    res.json({ recommendations: store.recommendations() });
  });

  router.get('/v1/maps/:map/hot-keys', (req, res) => {
    const map = existingMap(store, config, String(req.params.map));
    const limit = parseLimit(req.query.limit, config.hotKeys.topK);
    const keys = map.hotKeys(limit).map((h) => ({ key: keyToDisplay(h.key), score: h.score }));
    res.json({ map: map.name, keys });
  });

  router.post('/v1/maps/:map/prefetch', ...jsonBody(config.limits.maxValueBytes), (req, res) => {
    const name = parseMapName(String(req.params.map));
    const keys = parsePrefetchKeys(req.body, config.limits.maxKeyBytes);
    if (!store.map(name)) throw new UnknownMapError(name);
    const accepted = store.recordPrefetch(name, keys);
    res.status(202).json({ map: name, requested: keys.length, accepted });
  });

  return router;
}
