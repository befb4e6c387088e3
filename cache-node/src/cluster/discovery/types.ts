/** Discovery: where the other members might be. Liveness is decided by heartbeats, not here. */
export interface DiscoveredAddress {
  host: string;
  /** Hazelcast client port of the member (the member transport port is derived from it). */
  port: number;
}

export interface Discovery {
  /** Starts reporting; `onChange` receives the full current list each time it changes. */
  start(onChange: (addresses: DiscoveredAddress[]) => void): void;
  stop(): void;
}

export const addressKey = (a: DiscoveredAddress): string => `${a.host}:${a.port}`;

/** Keeps the latest list and reports only real changes (order-insensitive). */
export function changeFilter(
  onChange: (addresses: DiscoveredAddress[]) => void,
): (addresses: DiscoveredAddress[]) => void {
  let last: string | undefined;
  return (addresses) => {
    const unique = [...new Map(addresses.map((a) => [addressKey(a), a])).values()].sort((a, b) =>
      addressKey(a).localeCompare(addressKey(b)),
    );
    const key = unique.map(addressKey).join(',');
    if (key === last) return;
    last = key;
    onChange(unique);
  };
}
