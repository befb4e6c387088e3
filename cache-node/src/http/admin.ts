/** Admin API for the operator: live map settings, effective config (secrets redacted). */
import { Router } from 'express';
import type { Config } from '../config/types.js';
import { validateMapSettingsPatch } from '../config/validate.js';
import { UnknownMapError } from '../service/map-service.js';
import type { StoreApi } from '../store/types.js';
import type { HttpContext } from './context.js';
import { jsonBody } from './maps.js';
import { parseMapName } from './request.js';

export const REDACTED = '<redacted>';

/** The config as the node runs it: secrets redacted, declared maps with their live settings. */
export function effectiveConfig(config: Config, store: StoreApi): Config {
  const credentials = config.credentials && {
    ...Object.fromEntries(Object.keys(config.credentials).map((k) => [k, REDACTED])),
  };
  const maps = config.maps.map((m) => ({ ...m, ...store.getMap(m.name)?.settings }));
  return { ...config, maps, ...(credentials ? { credentials } : {}) };
}

export function adminRouter(ctx: HttpContext): Router {
  const { store, config, logger } = ctx;
  const router = Router();

  router.put(
    '/v1/admin/maps/:map/settings',
    ...jsonBody(config.limits.maxValueBytes),
    (req, res) => {
      const name = parseMapName(String(req.params.map));
      const map = store.map(name);
      if (!map) throw new UnknownMapError(name);
      const { name: _name, ...current } = map.settings;
      const patch = validateMapSettingsPatch(req.body, current);
      map.updateSettings(patch);
      logger.info('map settings changed', { map: name, settings: patch });
      res.json(map.settings);
    },
  );

  router.get('/v1/admin/config', (_req, res) => {
    res.json(effectiveConfig(config, store));
  });

  return router;
}
