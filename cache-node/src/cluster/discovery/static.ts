/** Static discovery: the configured `host:port` list (local mode and tests). */
import { parseHostPort } from '../member-info.js';
import type { DiscoveredAddress, Discovery } from './types.js';

export class InvalidMemberAddressError extends Error {
  override readonly name = 'InvalidMemberAddressError';
}

export function parseMemberList(entries: readonly string[]): DiscoveredAddress[] {
  return entries.map((e) => {
    const a = parseHostPort(e);
    if (!a) throw new InvalidMemberAddressError(`discovery.members: "${e}" is not host:port`);
    return a;
  });
}

export function staticDiscovery(entries: readonly string[]): Discovery {
  const addresses = parseMemberList(entries);
  return {
    start: (onChange) => onChange(addresses),
    stop: () => undefined,
  };
}
