import { nodeConfigSchema } from '../../../cache-node/src/config/schema.js';
import type { Config } from '../../../cache-node/src/config/types.js';
import { validateConfig } from '../../../cache-node/src/config/validate.js';
import type { MapSettings } from '../../../cache-node/src/store/types.js';

// Compile-time checks: these assignments fail `tsc` if the derived type drifts.
const fullDefaults: Config = validateConfig({});
const declaredMap: MapSettings = validateConfig({ maps: [{ name: 'm' }] }).maps[0];
const storeDefault: Omit<MapSettings, 'name'> = fullDefaults.defaultMap;
// @ts-expect-error maps[].name is required by the schema, so it is required by the type
const nameless: Config['maps'][number] = { eviction: 'lru', ttlSeconds: 0, maxIdleSeconds: 0 };
// @ts-expect-error eviction is an enum, not any string
const policy: Config['defaultMap']['eviction'] = 'fifo';

describe('Config type derived from the schema', () => {
  it('has a key for every top-level schema property, each filled or optional by its default', () => {
    const withDefaults = Object.entries(nodeConfigSchema.properties)
      .filter(([, p]) => 'default' in p)
      .map(([k]) => k)
      .sort();
    expect(Object.keys(fullDefaults).sort()).toEqual(withDefaults);
    expect(declaredMap.name).toBe('m');
    expect(storeDefault.eviction).toBe('tinylfu');
    expect([nameless, policy]).toHaveLength(2);
  });
});
