/** Which map names a member accepts, decided from the config alone (so a read never creates a map). */
import type { Config } from './types.js';

export type MapNamePolicy = Pick<Config, 'maps' | 'undeclaredMaps'>;

/** Any name when no maps are declared; otherwise declared names, or any with `undeclaredMaps: allow`. */
export function isMapAllowed(policy: MapNamePolicy, name: string): boolean {
  return (
    policy.maps.length === 0 ||
    policy.undeclaredMaps === 'allow' ||
    policy.maps.some((m) => m.name === name)
  );
}
